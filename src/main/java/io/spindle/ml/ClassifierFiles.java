package io.spindle.ml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spindle.autograd.Parameters;
import io.spindle.nn.EncoderClassifier;
import io.spindle.nn.EncoderClassifierFolder;
import io.spindle.nn.EncoderConfig;
import io.spindle.nn.NormPlacement;
import io.spindle.nn.SafeTensors;
import io.spindle.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * A {@link TransformerClassificationModel}'s data files: {@code data/config.json} (the {@link EncoderConfig} under
 * the field names of {@link EncoderClassifierFolder}) and {@code data/model.safetensors} (every parameter under its
 * name), on any Hadoop file system.
 */
final class ClassifierFiles {
  static final String CONFIG = "config.json";
  static final String WEIGHTS = "model.safetensors";
  private static final ObjectMapper JSON = new ObjectMapper();

  private ClassifierFiles() {}

  static void save(EncoderClassifier model, String path, Configuration conf) throws IOException {
    EncoderConfig c = model.config();
    ObjectNode o = JSON.createObjectNode();
    o.put("model_type", EncoderClassifierFolder.MODEL_TYPE);
    o.put("vocab_size", c.vocabSize());
    o.put("max_length", c.maxLength());
    o.put("n_layer", c.numLayers());
    o.put("n_head", c.numHeads());
    o.put("n_embd", c.embedDim());
    o.put("num_classes", c.numClasses());
    o.put("dropout", c.dropout());
    o.put("bias", c.bias());
    o.put("positions", c.positions().name().toLowerCase(Locale.ROOT));
    o.put("pooling", c.pooling().name().toLowerCase(Locale.ROOT));
    o.put("norm_placement", c.normPlacement().name().toLowerCase(Locale.ROOT));
    try (OutputStream out = ModelFiles.create(path, CONFIG, conf)) {
      out.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(o));
    }
    try (OutputStream out = ModelFiles.create(path, WEIGHTS, conf)) {
      SafeTensors.write(views(model.parameters()), Map.of("format", "pt"), out);
    }
  }

  static EncoderClassifier load(String path, Configuration conf) throws IOException {
    JsonNode o;
    try (InputStream in = ModelFiles.open(path, CONFIG, conf)) {
      o = JSON.readTree(in);
    }
    if (o == null || !EncoderClassifierFolder.MODEL_TYPE.equals(o.path("model_type").asText())) {
      throw new IllegalArgumentException(path + "/" + ModelFiles.DATA + "/" + CONFIG + " is not an "
          + EncoderClassifierFolder.MODEL_TYPE + " config");
    }
    EncoderConfig config = new EncoderConfig(number(o, "vocab_size", path), number(o, "max_length", path),
        number(o, "n_layer", path), number(o, "n_head", path), number(o, "n_embd", path),
        number(o, "num_classes", path), o.path("dropout").asDouble(0), o.path("bias").asBoolean(true),
        EncoderConfig.Positions.valueOf(o.path("positions").asText("learned").toUpperCase(Locale.ROOT)),
        EncoderConfig.Pooling.valueOf(o.path("pooling").asText("mean").toUpperCase(Locale.ROOT)),
        NormPlacement.valueOf(o.path("norm_placement").asText("pre").toUpperCase(Locale.ROOT)));
    Parameters p = EncoderClassifier.declare(config).build();
    try (InputStream in = ModelFiles.open(path, WEIGHTS, conf)) {
      SafeTensors.readInto(in, views(p));
    }
    return EncoderClassifier.of(config, p);
  }

  private static int number(JsonNode o, String field, String path) {
    if (!o.path(field).isIntegralNumber()) {
      throw new IllegalArgumentException(path + "/" + ModelFiles.DATA + "/" + CONFIG + ": field " + field
          + " missing or not an integer");
    }
    return o.get(field).asInt();
  }

  private static Map<String, Tensor> views(Parameters p) {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (String name : p.names()) {
      tensors.put(name, p.get(name).value());
    }
    return tensors;
  }
}
