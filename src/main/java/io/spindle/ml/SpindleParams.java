package io.spindle.ml;

import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamPair;
import org.apache.spark.ml.param.Params;

/**
 * The root of Spindle's params interfaces, Java's form of MLlib's params traits: every stage holds its Param objects
 * in one {@link DeclaredParams}, and the interfaces that extend this one ({@link HasArchitecture},
 * {@link HasOptimization}, {@link HasInputCol}...) expose each Param through a public no-arg default method, which is
 * how {@code Params.params} finds it. A Param shared by several stages is declared once, in the interface they all
 * implement; an Estimator and its Model implement the same family interface, so they have the same Params, and the
 * same defaults: those declared with the Params, then the family's ({@link #familyDefaults}).
 */
public interface SpindleParams extends Params {
  /** This stage's Param objects. */
  DeclaredParams declaredParams();

  /**
   * The defaults of this stage's family where they differ from those declared with the Params, as
   * {@code param.w(value)} pairs: written once, in the interface (or class) the family's stages share, and set by
   * {@link DeclaredParams#createAll} when a stage is created, so that an Estimator and its Model have the same.
   */
  ParamPair<?>[] familyDefaults();

  /** This stage's uid, which its Params name as their parent; its holder keeps it. */
  @Override
  default String uid() {
    return declaredParams().uid();
  }

  default int getInt(IntParam p) {
    return (Integer) getOrDefault(p);
  }

  default double getDouble(DoubleParam p) {
    return (Double) getOrDefault(p);
  }

  default long getLong(LongParam p) {
    return (Long) getOrDefault(p);
  }

  default boolean getBoolean(BooleanParam p) {
    return (Boolean) getOrDefault(p);
  }

  /** Whether the string Param {@code p} is set (or defaults) to a non-empty value: an optional column is wanted. */
  default boolean isNonEmpty(Param<String> p) {
    return isDefined(p) && !getOrDefault(p).isEmpty();
  }
}
