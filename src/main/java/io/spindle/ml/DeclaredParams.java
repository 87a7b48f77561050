package io.spindle.ml;

import java.io.Serializable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamPair;
import org.apache.spark.ml.param.ParamValidators;
import scala.Function1;

/**
 * The Param objects of one stage. MLlib's Scala stages declare each Param as a {@code val} of a params trait; a Java
 * interface cannot hold per-stage state, so every stage owns one of these, created in its constructor right after
 * its uid, and each Param accessor (a public no-arg default method of a params interface, which is how
 * {@code Params.params} finds it by reflection) asks it for its Param, giving the name, doc, validator and, where
 * every stage that has the Param shares it, the default, all written once, at the accessor.
 *
 * <p>Order of use: the stage's constructor creates this holder with its uid, then calls {@link #createAll}, which
 * runs every accessor once: each Param is created then, with the stage as its parent, and its default (if declared
 * with it) set; every later call returns that same object. Then it sets the family's defaults
 * ({@link SpindleParams#familyDefaults}), which override those declared with shared Params where families differ.
 */
public final class DeclaredParams implements Serializable {
  private static final long serialVersionUID = 1L;

  private final SpindleParams owner;
  private final String uid;
  private final Map<String, Param<?>> byName = new ConcurrentHashMap<>();

  /** The holder of the Params of {@code owner}, whose uid is {@code uid}. */
  DeclaredParams(SpindleParams owner, String uid) {
    this.owner = owner;
    this.uid = uid;
  }

  /** The owner's uid, which {@link SpindleParams#uid()} returns. */
  String uid() {
    return uid;
  }

  /**
   * Creates every Param of the owner, then sets its family's defaults (call once the owner's
   * {@code declaredParams()} returns this holder).
   */
  void createAll() {
    owner.params();
    for (ParamPair<?> pair : owner.familyDefaults()) {
      setDefault(pair);
    }
  }

  private <T> void setDefault(ParamPair<T> pair) {
    owner.setDefault(pair.param(), pair.value());
  }

  /** An int Param without a default. */
  IntParam intParam(String name, String doc, Function1<Object, Object> isValid) {
    return get(name, IntParam.class, () -> new IntParam(owner, name, doc, isValid), null);
  }

  /** An int Param whose default is {@code value} for every stage that has it. */
  IntParam intParam(String name, String doc, Function1<Object, Object> isValid, int value) {
    return get(name, IntParam.class, () -> new IntParam(owner, name, doc, isValid), value);
  }

  DoubleParam doubleParam(String name, String doc, Function1<Object, Object> isValid) {
    return get(name, DoubleParam.class, () -> new DoubleParam(owner, name, doc, isValid), null);
  }

  DoubleParam doubleParam(String name, String doc, Function1<Object, Object> isValid, double value) {
    return get(name, DoubleParam.class, () -> new DoubleParam(owner, name, doc, isValid), value);
  }

  LongParam longParam(String name, String doc, long value) {
    return get(name, LongParam.class, () -> new LongParam(owner, name, doc), value);
  }

  BooleanParam booleanParam(String name, String doc, boolean value) {
    return get(name, BooleanParam.class, () -> new BooleanParam(owner, name, doc), value);
  }

  /** A string Param without a validator, with the default {@code value} (null: none, a column stages may leave unset). */
  Param<String> stringParam(String name, String doc, String value) {
    return get(name, Param.class, () -> new Param<String>(owner, name, doc), value);
  }

  /** A string Param whose value must be one of {@code choices}, with the default {@code value} (null: none). */
  Param<String> choiceParam(String name, String doc, String value, String... choices) {
    return get(name, Param.class, () -> new Param<String>(owner, name, doc, ParamValidators.inArray(choices)),
        value);
  }

  /**
   * The one Param called {@code name}: on the first request {@code create} makes it and, unless
   * {@code defaultValue} is null, its default is set.
   */
  @SuppressWarnings("unchecked")
  private <P extends Param<?>> P get(String name, Class<?> type, Supplier<P> create, Object defaultValue) {
    Param<?> p = byName.computeIfAbsent(name, n -> {
      P created = create.get();
      if (defaultValue != null) {
        owner.setDefault((Param<Object>) created, defaultValue);
      }
      return created;
    });
    if (p.getClass() != type) {
      throw new IllegalStateException(uid + ": Param " + name + " is declared as a "
          + p.getClass().getSimpleName() + " and as a " + type.getSimpleName());
    }
    return (P) p;
  }
}
