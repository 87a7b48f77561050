package io.spindle.ml;

import io.spindle.autograd.Parameters;
import io.spindle.nn.EncoderClassifier;
import io.spindle.nn.EncoderClassifierFolder;
import io.spindle.nn.EncoderConfig;
import io.spindle.nn.SafeTensors;
import io.spindle.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
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

  private ClassifierFiles() {}

  static void save(EncoderClassifier model, String path, Configuration conf) throws IOException {
    try (OutputStream out = ModelFiles.create(path, CONFIG, conf)) {
      EncoderClassifierFolder.writeConfig(model.config(), out);
    }
    try (OutputStream out = ModelFiles.create(path, WEIGHTS, conf)) {
      SafeTensors.write(views(model.parameters()), Map.of("format", "pt"), out);
    }
  }

  static EncoderClassifier load(String path, Configuration conf) throws IOException {
    EncoderConfig config;
    try (InputStream in = ModelFiles.open(path, CONFIG, conf)) {
      config = EncoderClassifierFolder.readConfig(in, path + "/" + ModelFiles.DATA + "/" + CONFIG);
    }
    Parameters p = EncoderClassifier.declare(config).build();
    try (InputStream in = ModelFiles.open(path, WEIGHTS, conf)) {
      SafeTensors.readInto(in, views(p));
    }
    return EncoderClassifier.of(config, p);
  }

  private static Map<String, Tensor> views(Parameters p) {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (String name : p.names()) {
      tensors.put(name, p.get(name).value());
    }
    return tensors;
  }
}
