/**
 * MLlib Estimators, Models, Params and persistence adapters; no math lives here.
 *
 * <p>May import {@code io.spindle.spark} and below.
 */
package io.spindle.ml;
