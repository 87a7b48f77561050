/**
 * The {@code spindle} command line ({@code bin/spindle}, or the shaded jar through {@code spark-submit}).
 *
 * <p>May import every other Spindle package.
 */
package io.spindle.cli;
