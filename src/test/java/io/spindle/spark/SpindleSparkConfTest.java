package io.spindle.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

/** Spindle's Spark defaults: set only where unset, and the broadcast checksum off in local mode only. */
class SpindleSparkConfTest {
  @Test
  void localModeDropsTheBroadcastChecksumWhichNothingReads() {
    for (String master : new String[] {"local", "local[2]", "local[*]"}) {
      SparkConf conf = SpindleSparkConf.withDefaults(new SparkConf(false).setMaster(master));
      assertEquals("false", conf.get("spark.broadcast.checksum"), master);
      assertEquals("false", conf.get("spark.broadcast.compress"), master);
      assertEquals(SpindleKryoRegistrator.class.getName(), conf.get("spark.kryo.registrator"), master);
    }
  }

  @Test
  void clustersKeepTheChecksumAndUsersChoicesWin() {
    for (String master : new String[] {"spark://127.0.0.1:7077", "yarn", "local-cluster[2,1,1024]"}) {
      SparkConf conf = SpindleSparkConf.withDefaults(new SparkConf(false).setMaster(master));
      assertFalse(conf.contains("spark.broadcast.checksum"), master);
    }
    SparkConf mine = SpindleSparkConf.withDefaults(new SparkConf(false).setMaster("local[2]")
        .set("spark.broadcast.checksum", "true").set("spark.broadcast.compress", "true"));
    assertEquals("true", mine.get("spark.broadcast.checksum"));
    assertEquals("true", mine.get("spark.broadcast.compress"));
  }
}
