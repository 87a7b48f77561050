package io.spindle.nn;

import io.spindle.autograd.Parameters;

/** Checks that parameters handed to a model (e.g. loaded from a folder) have exactly the layout its config needs. */
final class Layouts {
  private Layouts() {}

  /** Throws naming the first parameter of {@code expected} that {@code actual} lacks or shapes differently. */
  static void requireMatch(String model, Parameters expected, Parameters actual) {
    for (String name : expected.names()) {
      if (!actual.contains(name)) {
        throw new IllegalArgumentException(model + ": parameter " + name + " missing");
      }
      if (!actual.get(name).value().sameShape(expected.get(name).value())) {
        throw new IllegalArgumentException(model + ": parameter " + name + " has shape "
            + actual.get(name).value() + ", config needs " + expected.get(name).value());
      }
    }
    if (actual.names().size() != expected.names().size()) {
      for (String name : actual.names()) {
        if (!expected.contains(name)) {
          throw new IllegalArgumentException(model + ": unexpected parameter " + name + " for this config");
        }
      }
    }
  }
}
