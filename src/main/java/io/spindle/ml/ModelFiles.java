package io.spindle.ml;

import io.spindle.nn.ModelFolder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** The data files of a saved stage, on any Hadoop file system ({@code file:}, {@code hdfs:}, {@code s3a:}). */
final class ModelFiles {
  /** The folder under a stage's path that holds its data files; MLlib's own models use the same name. */
  static final String DATA = "data";

  private ModelFiles() {}

  /** The folder of a saved stage's data files, a model folder for the transformer stages. */
  static String dataDir(String path) {
    return new Path(path, DATA).toString();
  }

  /** {@code contents}, which must have a tokenizer (the stage saved at {@code path} needs one). */
  static <M> ModelFolder.Contents<M> requireTokenizer(String path, ModelFolder.Contents<M> contents) {
    if (contents.tokenizer() == null) {
      throw new IllegalArgumentException("saved model at " + path + " has no " + DATA + "/" + ModelFolder.TOKENIZER);
    }
    return contents;
  }

  /** Creates (replacing) {@code path/data/name}. */
  static OutputStream create(String path, String name, Configuration conf) throws IOException {
    Path file = new Path(new Path(path, DATA), name);
    return file.getFileSystem(conf).create(file, true);
  }

  /** Opens {@code path/data/name}; throws naming the file if it is missing. */
  static InputStream open(String path, String name, Configuration conf) throws IOException {
    Path file = new Path(new Path(path, DATA), name);
    FileSystem fs = file.getFileSystem(conf);
    if (!fs.exists(file)) {
      throw new IllegalArgumentException("saved model at " + path + " has no " + DATA + "/" + name);
    }
    return fs.open(file);
  }
}
