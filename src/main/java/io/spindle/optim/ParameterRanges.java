package io.spindle.optim;

import io.spindle.autograd.Parameters;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The elements of a flat parameter buffer (P,) that some named parameters occupy, as sorted disjoint ranges
 * {@code [starts[r], ends[r])}: adjacent selected parameters merge into one range, empty ones make none. The weight
 * decay mask and the groups of scaled rates are such ranges.
 *
 * @param starts first element of each range
 * @param ends one past the last element of each range
 */
record ParameterRanges(int[] starts, int[] ends) {
  /** The ranges of the parameters whose name {@code selected} accepts, in buffer order. */
  static ParameterRanges of(Parameters parameters, Predicate<String> selected) {
    List<int[]> ranges = new ArrayList<>();
    for (String name : parameters.names()) {
      if (!selected.test(name)) {
        continue;
      }
      int start = parameters.offsetOf(name);
      int end = start + parameters.get(name).value().size();
      int[] last = ranges.isEmpty() ? null : ranges.get(ranges.size() - 1);
      if (last != null && last[1] == start) {
        last[1] = end;
      } else if (end > start) {
        ranges.add(new int[] {start, end});
      }
    }
    return new ParameterRanges(ranges.stream().mapToInt(r -> r[0]).toArray(),
        ranges.stream().mapToInt(r -> r[1]).toArray());
  }

  /** The number of elements the ranges cover. */
  int count() {
    int n = 0;
    for (int r = 0; r < starts.length; r++) {
      n += ends[r] - starts[r];
    }
    return n;
  }
}
