package io.spindle.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.data.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LossHistoryTest {
  @TempDir
  Path dir;

  @Test
  void readsTrainingLossesOfEveryStepAndValidationWhereEvaluated() throws Exception {
    Path file = dir.resolve("metrics.jsonl");
    Files.writeString(file, """
        {"step":1,"loss":4.5,"lr":0.001,"elapsed_s":0.5,"grad_norm":2.0}
        {"step":2,"loss":3.25,"lr":0.001,"elapsed_s":1.0,"grad_norm":1.5,"val_loss":3.5}

        {"step":3,"loss":2.75,"lr":0.001,"elapsed_s":1.5,"grad_norm":1.0}
        """);
    LossHistory h = LossHistory.read(file);
    assertEquals(3, h.train().size());
    assertEquals(new LossHistory.Point(2, 1.0, 3.25), h.train().get(1));
    assertEquals(1, h.validation().size());
    assertEquals(new LossHistory.Point(2, 1.0, 3.5), h.validation().get(0));
    assertTrue(h.hasTimes());
  }

  @Test
  void readsAnotherNumberPerStepAsTheSeries() throws Exception {
    Path file = dir.resolve("metrics.jsonl");
    Files.writeString(file, """
        {"step":1,"loss":0.1,"reward":0.25,"kl":0.0,"elapsed_s":2.0}
        {"step":2,"loss":0.2,"kl":0.01,"elapsed_s":4.0}
        {"step":3,"loss":0.3,"reward":0.5,"kl":0.02,"elapsed_s":6.0}
        """);
    LossHistory reward = LossHistory.read(file, "reward");
    assertEquals(java.util.List.of(new LossHistory.Point(1, 2.0, 0.25), new LossHistory.Point(3, 6.0, 0.5)),
        reward.train());
    assertTrue(reward.validation().isEmpty());
    assertEquals(0.02, LossHistory.read(file, "kl").train().get(2).loss());
    BadInputException e = assertThrows(BadInputException.class, () -> LossHistory.read(file, "entropy"));
    assertTrue(e.getMessage().contains("entropy"), e.getMessage());
    Files.writeString(file, "{\"step\":1,\"reward\":0.5}\n{\"reward\":0.5}\n");
    e = assertThrows(BadInputException.class, () -> LossHistory.read(file, "reward"));
    assertTrue(e.getMessage().contains("line 2"), e.getMessage());
  }

  @Test
  void lossesOfOnesOwnLoopHaveStepsButNoTimes() {
    LossHistory h = LossHistory.ofLosses(3, 2, 1);
    assertEquals(3, h.train().get(2).step());
    assertEquals(1.0, h.train().get(2).loss());
    assertFalse(h.hasTimes());
  }

  @Test
  void aBadLineIsNamed() throws Exception {
    Path file = dir.resolve("metrics.jsonl");
    Files.writeString(file, "{\"step\":1,\"loss\":4.5}\n{\"step\":2}\n");
    BadInputException e = assertThrows(BadInputException.class, () -> LossHistory.read(file));
    assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    Files.writeString(file, "{\"step\":1,\"loss\":4.5}\nnot json\n");
    e = assertThrows(BadInputException.class, () -> LossHistory.read(file));
    assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    e = assertThrows(BadInputException.class, () -> LossHistory.read(dir.resolve("missing.jsonl")));
    assertTrue(e.getMessage().contains("missing.jsonl"), e.getMessage());
  }
}
