package io.spindle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

/** The Spark settings {@link SparkTraining} adds to a user's. */
class SparkTrainingTest {
  @Test
  void addsItsPluginAfterTheUsersOnce() {
    SparkConf conf = new SparkConf(false);
    SparkTraining.addPlugin(conf, "io.spindle.P");
    assertEquals("io.spindle.P", conf.get("spark.plugins"));
    SparkTraining.addPlugin(conf, "io.spindle.P");
    assertEquals("io.spindle.P", conf.get("spark.plugins"));

    SparkConf users = new SparkConf(false).set("spark.plugins", "com.example.A, io.spindle.P");
    SparkTraining.addPlugin(users, "io.spindle.P");
    assertEquals("com.example.A, io.spindle.P", users.get("spark.plugins"));
    SparkConf other = new SparkConf(false).set("spark.plugins", "com.example.A");
    SparkTraining.addPlugin(other, "io.spindle.P");
    assertEquals("com.example.A,io.spindle.P", other.get("spark.plugins"));
  }
}
