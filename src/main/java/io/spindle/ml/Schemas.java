package io.spindle.ml;

import java.util.Arrays;
import java.util.function.Predicate;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Column checks of {@code transformSchema}: each failure names the stage, the column and the expected type. */
final class Schemas {
  /** The type of a token id column. */
  static final DataType IDS = DataTypes.createArrayType(DataTypes.IntegerType);

  private Schemas() {}

  /** The field {@code column} of {@code schema}; throws naming the columns present if it is missing. */
  static StructField field(String stage, StructType schema, String column) {
    if (!Arrays.asList(schema.fieldNames()).contains(column)) {
      throw new IllegalArgumentException(stage + ": input column '" + column + "' does not exist; the columns are "
          + Arrays.toString(schema.fieldNames()));
    }
    return schema.apply(column);
  }

  static void requireString(String stage, StructType schema, String column) {
    require(stage, schema, column, "string", DataTypes.StringType::equals);
  }

  /** An array of int (elements may be declared nullable or not). */
  static void requireIds(String stage, StructType schema, String column) {
    require(stage, schema, column, "array<int> (token ids)",
        t -> t instanceof ArrayType a && a.elementType().equals(DataTypes.IntegerType));
  }

  static void requireBoolean(String stage, StructType schema, String column) {
    require(stage, schema, column, "boolean", DataTypes.BooleanType::equals);
  }

  static void requireNumeric(String stage, StructType schema, String column) {
    require(stage, schema, column, "numeric (a double class index 0..K-1)", t -> t instanceof NumericType);
  }

  /** Throws naming the stage, the column, {@code expected} and the actual type unless the column's type is {@code ok}. */
  private static void require(String stage, StructType schema, String column, String expected,
      Predicate<DataType> ok) {
    DataType actual = field(stage, schema, column).dataType();
    if (!ok.test(actual)) {
      throw new IllegalArgumentException(stage + ": column '" + column + "' must be of type " + expected
          + ", but is " + actual.simpleString());
    }
  }

  /** {@code schema} with {@code column} appended; throws if it already exists. */
  static StructType append(String stage, StructType schema, String column, DataType type, Metadata metadata) {
    if (Arrays.asList(schema.fieldNames()).contains(column)) {
      throw new IllegalArgumentException(stage + ": output column '" + column + "' already exists");
    }
    return schema.add(new StructField(column, type, true, metadata));
  }
}
