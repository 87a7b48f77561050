package io.spindle.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.util.Utils;

/**
 * The Spark settings Spindle's data-parallel step wants, applied where Spindle creates the SparkContext (the CLI's
 * {@code train-lm}, the benchmarks) and documented for {@code spark-submit} users in docs/spark.md. Each is set
 * only when the configuration does not set it already, so a user's choice wins.
 *
 * <ul>
 *   <li>{@code spark.serializer=org.apache.spark.serializer.KryoSerializer} and
 *       {@code spark.kryo.registrator=io.spindle.spark.SpindleKryoRegistrator}: compact, bulk float codecs for the
 *       broadcast weights and the gradients ({@link SpindleKryoRegistrator});</li>
 *   <li>{@code spark.broadcast.compress=false}: what Spindle broadcasts is float32 weights, which LZ4 cannot shrink
 *       (random mantissas), so compressing costs a pass over every byte on the driver and on every executor for
 *       nothing. Spark's {@code spark.rdd.compress} is already off by default, and task results are never
 *       compressed.</li>
 *   <li>in local mode ({@code spark.master} {@code local} or {@code local[...]}) only,
 *       {@code spark.broadcast.checksum=false}: there the tasks find the broadcast value itself in the one block
 *       manager and never read the broadcast's pieces, so a checksum of every piece (a pass over the weights each
 *       step) is never checked. On a cluster the executors fetch the pieces, and Spark's default (on) stays.</li>
 * </ul>
 */
public final class SpindleSparkConf {
  private SpindleSparkConf() {}

  /** Sets Spindle's defaults on {@code conf} where it leaves them unset; returns {@code conf}. */
  public static SparkConf withDefaults(SparkConf conf) {
    conf.setIfMissing("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
        .setIfMissing("spark.kryo.registrator", SpindleKryoRegistrator.class.getName())
        .setIfMissing("spark.broadcast.compress", "false");
    if (Utils.isLocalMaster(conf)) { // Spark's own test: spark.master is local or local[...]
      conf.setIfMissing("spark.broadcast.checksum", "false");
    }
    return conf;
  }
}
