package io.spindle.cli;

import picocli.CommandLine.Option;

/**
 * The {@code --verbose} flag every command takes: stack traces with errors. {@link Main} adds it to each command,
 * whose exception handler reads it.
 */
final class VerboseOption {
  @Option(names = "--verbose", description = "Print stack traces with errors.")
  boolean verbose;
}
