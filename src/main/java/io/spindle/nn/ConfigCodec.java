package io.spindle.nn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spindle.data.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code config.json} of one model family, driven by a table of its config record's components: each
 * {@link Field} names a component and its JSON key, and says whether the key is required or what a missing one
 * means. Writing puts {@code model_type} first, then the fields in table order (the bytes of a folder depend on that
 * order). Reading goes through {@link ConfigJson}'s strict parse (exactly one object, no key twice), then takes the
 * fields in component order, so that the first bad field named is the first constructor argument that is bad; keys
 * the table does not know are ignored (nanoGPT's configs carry some). The value kinds are those of the records:
 * {@code int} (always required), {@code double}, {@code boolean} and enums, written in lower case.
 *
 * @param <C> the config record
 */
public final class ConfigCodec<C> {
  private final Class<C> type;
  private final String modelType;
  private final boolean typeOptional;
  private final List<Field> table; // write order
  private final RecordComponent[] components; // read and constructor order
  private final Map<String, Field> byComponent = new LinkedHashMap<>();
  private final Constructor<C> constructor;

  /**
   * One config field: the record component {@code component}, written under {@code key}. A {@code fallback} of
   * null makes the key required; otherwise a missing key reads as {@code fallback}, and with {@code omitFallback}
   * a value equal to it is not written (for a field added later, so that older folders keep their bytes).
   */
  public record Field(String key, String component, Object fallback, boolean omitFallback) {
    /** A field every {@code config.json} must have. */
    public static Field required(String key, String component) {
      return new Field(key, component, null, false);
    }

    /** A field that reads as {@code fallback} when absent. */
    public static Field optional(String key, String component, Object fallback) {
      return new Field(key, component, Objects.requireNonNull(fallback), false);
    }

    /** An optional field that is written only when its value is not {@code fallback}. */
    public static Field omittedAt(String key, String component, Object fallback) {
      return new Field(key, component, Objects.requireNonNull(fallback), true);
    }
  }

  /**
   * The codec of {@code type} under {@code modelType}, its fields written in the order given; with
   * {@code typeOptional} a file without {@code model_type} is read as this type (nanoGPT writes none). Every
   * component must be in the table exactly once.
   */
  public ConfigCodec(Class<C> type, String modelType, boolean typeOptional, Field... fields) {
    this.type = type;
    this.modelType = modelType;
    this.typeOptional = typeOptional;
    this.table = List.of(fields);
    if (!type.isRecord()) {
      throw new IllegalStateException(type.getSimpleName() + " is not a record");
    }
    this.components = type.getRecordComponents();
    Class<?>[] types = new Class<?>[components.length];
    for (Field f : fields) {
      if (byComponent.put(f.component(), f) != null) {
        throw new IllegalStateException(type.getSimpleName() + ": component " + f.component() + " given twice");
      }
    }
    for (int i = 0; i < components.length; i++) {
      types[i] = components[i].getType();
      Field f = byComponent.get(components[i].getName());
      if (f == null) {
        throw new IllegalStateException(type.getSimpleName() + ": no config.json field for " + components[i].getName());
      }
      if (types[i] == int.class && f.fallback() != null) {
        throw new IllegalStateException(type.getSimpleName() + ": integer field " + f.key() + " must be required");
      }
    }
    if (byComponent.size() != components.length) {
      throw new IllegalStateException(type.getSimpleName() + ": the field table names a component it does not have");
    }
    try {
      this.constructor = type.getDeclaredConstructor(types);
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException(type.getSimpleName() + " has no canonical constructor", e);
    }
  }

  /** The {@code model_type} written into {@code config.json}. */
  public String modelType() {
    return modelType;
  }

  /** Writes {@code config} as a pretty-printed {@code config.json} to {@code out}, left open. */
  public void write(C config, OutputStream out) throws IOException {
    ObjectNode o = ConfigJson.create(modelType);
    for (Field f : table) {
      Object value = componentValue(config, f.component());
      if (f.omitFallback() && value.equals(f.fallback())) {
        continue;
      }
      if (value instanceof Integer i) {
        o.put(f.key(), i);
      } else if (value instanceof Double d) {
        o.put(f.key(), d);
      } else if (value instanceof Boolean b) {
        o.put(f.key(), b);
      } else {
        o.put(f.key(), ConfigJson.name((Enum<?>) value));
      }
    }
    ConfigJson.write(o, out);
  }

  /**
   * The config in the {@code config.json} that {@code in} holds (left open); {@code source} names it in messages.
   * Another {@code model_type}, a missing or malformed field, or a value the record refuses is a
   * {@link BadInputException} naming {@code source}.
   */
  public C read(InputStream in, Object source) throws IOException {
    JsonNode o = ConfigJson.read(in, source, modelType, typeOptional);
    Object[] args = new Object[components.length];
    for (int i = 0; i < args.length; i++) {
      Field f = byComponent.get(components[i].getName());
      args[i] = ConfigJson.field(o, f.key(), components[i].getType(), f.fallback(), source);
    }
    return ConfigJson.build(source, () -> construct(args));
  }

  private C construct(Object[] args) {
    try {
      return constructor.newInstance(args);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r; // the record's own checks
      }
      throw new IllegalStateException(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private Object componentValue(C config, String component) {
    for (RecordComponent c : components) {
      if (c.getName().equals(component)) {
        try {
          return c.getAccessor().invoke(config);
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    throw new IllegalStateException(type.getSimpleName() + " has no component " + component);
  }
}
