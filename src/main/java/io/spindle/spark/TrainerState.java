package io.spindle.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Where a training run stands, saved in every checkpoint as {@code trainer.json}. Every random draw of training is a
 * pure function of (seed, step, window), so the step count <em>is</em> the data position and the RNG state: resuming
 * at step k redraws exactly the batches an uninterrupted run would have drawn from step k on.
 *
 * <p>The same record serves every model family, in the objective's units: windows of a token stream, examples or
 * pairs drawn from N of them.
 *
 * @param step optimizer steps completed (the next step to run, 0-based)
 * @param seed the run's root seed
 * @param batchSize B, draws (windows, examples, pairs) per step
 * @param streamLength the data's size: n tokens of a stream, or N examples or pairs
 * @param tokensSeen what the losses were summed over so far (target tokens, or examples)
 */
public record TrainerState(long step, long seed, int batchSize, long streamLength, long tokensSeen) {
  static final String FORMAT = "spindle-trainer-state";
  private static final ObjectMapper JSON = new ObjectMapper();

  public TrainerState {
    if (step < 0 || batchSize < 1 || streamLength < 1 || tokensSeen < 0) {
      throw new IllegalArgumentException("trainer state: bad step " + step + ", batch size " + batchSize
          + ", stream length " + streamLength + " or tokens seen " + tokensSeen);
    }
  }

  void write(OutputStream out) throws IOException {
    ObjectNode o = JSON.createObjectNode();
    o.put("format", FORMAT);
    o.put("version", 1);
    o.put("step", step);
    o.put("seed", seed);
    o.put("batch_size", batchSize);
    o.put("stream_tokens", streamLength);
    o.put("tokens_seen", tokensSeen);
    out.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(o));
  }

  static TrainerState read(InputStream in) throws IOException {
    JsonNode o = JSON.readTree(in);
    if (o == null || !FORMAT.equals(o.path("format").asText()) || o.path("version").asInt() != 1) {
      throw new IOException("not a version 1 " + FORMAT + " file");
    }
    for (String field : new String[] {"step", "seed", "batch_size", "stream_tokens", "tokens_seen"}) {
      if (!o.path(field).isIntegralNumber()) {
        throw new IOException("field " + field + " missing or not an integer");
      }
    }
    return new TrainerState(o.get("step").asLong(), o.get("seed").asLong(), o.get("batch_size").asInt(),
        o.get("stream_tokens").asLong(), o.get("tokens_seen").asLong());
  }
}
