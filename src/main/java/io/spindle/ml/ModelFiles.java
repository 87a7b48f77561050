package io.spindle.ml;

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
