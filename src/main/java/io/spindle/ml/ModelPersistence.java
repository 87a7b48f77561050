package io.spindle.ml;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;

/**
 * The one {@link MLWriter} and {@link MLReader} of Spindle's models, on any Hadoop file system ({@code file:},
 * {@code hdfs:}, {@code s3a:}): MLlib's parameter metadata ({@code DefaultParamsWriter}/{@code DefaultParamsReader},
 * so a {@code PipelineModel} saves and loads them like MLlib's own) plus the model's data files under
 * {@code path/data/}, which a model writes and reads with a {@link DataWriter} and a {@link DataReader}: a model folder for the transformer models
 * ({@link SpindleModel}), {@code tokenizer.json} for {@link SpindleTokenizerModel}.
 */
final class ModelPersistence {
  /** The folder under a stage's path that holds its data files; MLlib's own models use the same name. */
  static final String DATA = "data";

  private ModelPersistence() {}

  /** Writes what of {@code model} is not a Param (its weights, its tokenizers) into the folder {@code dir}. */
  @FunctionalInterface
  interface DataWriter<M> {
    void write(M model, String dir, Configuration conf) throws IOException;
  }

  /** The model of uid {@code uid} whose data a {@link DataWriter} left in {@code dir}, its Params not yet set. */
  @FunctionalInterface
  interface DataReader<M> {
    M read(String uid, String dir, Configuration conf) throws IOException;
  }

  static <M extends Params> MLWriter writer(M model, DataWriter<M> data) {
    return new MLWriter() {
      @Override
      public void saveImpl(String path) {
        DefaultParamsWriter$.MODULE$.saveMetadata(model, path, sparkSession());
        try {
          data.write(model, dataDir(path), sparkSession().sparkContext().hadoopConfiguration());
        } catch (IOException e) {
          throw new UncheckedIOException("writing " + model.uid() + " to " + path, e);
        }
      }
    };
  }

  static <M extends Params> MLReader<M> reader(Class<M> type, DataReader<M> data) {
    return new MLReader<>() {
      @Override
      public M load(String path) {
        DefaultParamsReader.Metadata metadata = DefaultParamsReader$.MODULE$.loadMetadata(path, sparkSession(),
            type.getName());
        M model;
        try {
          model = data.read(metadata.uid(), dataDir(path), sparkSession().sparkContext().hadoopConfiguration());
        } catch (IOException e) {
          throw new UncheckedIOException("reading the model saved at " + path, e);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("reading the model saved at " + path + ": " + e.getMessage(), e);
        }
        metadata.getAndSetParams(model, scala.Option.empty());
        return model;
      }
    };
  }

  /** The folder of a saved stage's data files. */
  static String dataDir(String path) {
    return new Path(path, DATA).toString();
  }
}
