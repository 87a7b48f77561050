package io.spindle.spark;

import io.spindle.nn.ModelFolder;
import io.spindle.nn.ModelFormat;
import io.spindle.nn.Network;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * {@link ModelFolder}s on any Hadoop file system ({@code file:}, {@code hdfs:}, {@code s3a:}...): where MLlib
 * persistence keeps a stage's {@code data/}, and where the command line reads and writes model folders given as
 * Hadoop paths. The codec is {@link ModelFolder}'s; this class only opens and creates the files.
 */
public final class HadoopFolder {
  private HadoopFolder() {}

  /** Writes {@code contents} into the folder {@code dir}, replacing its files and deleting the layout's others. */
  public static <C extends Serializable, M extends Network<?>> void save(ModelFormat<C, M> format, ModelFolder.Contents<M> contents,
      String dir, Configuration conf) throws IOException {
    Path folder = new Path(dir);
    FileSystem fs = folder.getFileSystem(conf);
    Map<String, ModelFolder.Content> files = ModelFolder.files(format, contents);
    for (Map.Entry<String, ModelFolder.Content> f : files.entrySet()) {
      try (OutputStream out = new BufferedOutputStream(fs.create(new Path(folder, f.getKey()), true))) {
        f.getValue().writeTo(out);
      }
    }
    for (String name : ModelFolder.FILES) {
      if (!files.containsKey(name)) {
        fs.delete(new Path(folder, name), false);
      }
    }
  }

  /** Reads the folder {@code dir}; an error names the file. */
  public static <C extends Serializable, M extends Network<?>> ModelFolder.Contents<M> load(ModelFormat<C, M> format, String dir,
      Configuration conf) throws IOException {
    return ModelFolder.read(format, source(dir, conf));
  }

  /** The folder {@code dir} as a {@link ModelFolder.Source}. */
  public static ModelFolder.Source source(String dir, Configuration conf) throws IOException {
    Path folder = new Path(dir);
    FileSystem fs = folder.getFileSystem(conf);
    return new ModelFolder.Source() {
      @Override
      public boolean has(String name) throws IOException {
        return fs.isFile(new Path(folder, name));
      }

      @Override
      public InputStream open(String name) throws IOException {
        if (!has(name)) {
          throw new IllegalArgumentException("model folder " + folder + " has no " + name);
        }
        return fs.open(new Path(folder, name));
      }

      @Override
      public long length(String name) throws IOException {
        return fs.getFileStatus(new Path(folder, name)).getLen();
      }

      @Override
      public String where(String name) {
        return new Path(folder, name).toString();
      }
    };
  }
}
