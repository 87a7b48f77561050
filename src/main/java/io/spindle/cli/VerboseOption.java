package io.spindle.cli;

import picocli.CommandLine.Option;

/** The {@code --verbose} flag every command takes: stack traces with errors. */
final class VerboseOption {
  @Option(names = "--verbose", description = "Print stack traces with errors.")
  boolean verbose;
}
