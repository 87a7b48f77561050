package io.spindle;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every Java block of {@code README.md} and of the pages under {@code docs/} tagged
 * {@code <!-- tested-snippet: NAME -->} (the line right before its {@code ```java} fence) compiles against the test
 * classpath and runs without throwing, on tiny data in {@code local[2]}, as it is shown: nothing is substituted, so
 * a snippet's sizes are small enough to run here and its text says what a real dataset wants.
 *
 * <p>How a snippet becomes a program: its {@code import} lines (static ones too) go to the top of a class
 * {@code Snippet_NAME}; the rest is the body of {@code static void run(...) throws Exception}, whose parameters are
 * the {@link #INPUTS}, the names a snippet may use without declaring them (the page says what they are above the
 * snippet). To test a new snippet, tag it; if it needs data the inputs lack, add an {@link Input} here. A compile
 * error is reported with its file and line. Names are unique over all the pages.
 */
class ReadmeSnippetsTest {
  static final Path README = Path.of("README.md");
  static final Path DOCS = Path.of("docs");
  static final Pattern MARKER = Pattern.compile("<!--\\s*tested-snippet:\\s*([A-Za-z0-9_-]+)\\s*-->");
  static SparkSession spark;

  /** A name a snippet may use: its Java type, and how to make its value for a run in {@code dir}. */
  record Input(String type, String name, BiFunction<SparkSession, String, Object> value) {}

  static final List<Input> INPUTS = List.of(
      new Input("org.apache.spark.sql.SparkSession", "spark", (s, dir) -> s),
      new Input("String", "dir", (s, dir) -> dir),
      new Input("org.apache.spark.sql.Dataset<org.apache.spark.sql.Row>", "texts", (s, dir) -> texts(s, 300)),
      new Input("org.apache.spark.sql.Dataset<org.apache.spark.sql.Row>", "pairs", (s, dir) -> pairs(s, 200)));

  /** A tagged block: its page, its name, the page's line of its first code line, and its lines. */
  record Snippet(Path page, String name, int firstLine, List<String> lines) {}

  @TempDir
  static Path work;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("spindle-readme-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /**
   * A string column {@code text} and a double column {@code label}: class c writes words of the letters
   * {abcd, efgh, ijkl}[c], one character in six drawn from all twelve.
   */
  static Dataset<Row> texts(SparkSession session, int n) {
    SplittableRandom r = new SplittableRandom(1);
    String[] alphabets = {"abcd", "efgh", "ijkl"};
    String all = "abcdefghijkl";
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int label = i % 3;
      StringBuilder s = new StringBuilder();
      for (int t = 4 + r.nextInt(10); t > 0; t--) {
        String from = r.nextInt(6) == 0 ? all : alphabets[label];
        s.append(t % 5 == 0 ? ' ' : from.charAt(r.nextInt(from.length())));
      }
      rows.add(RowFactory.create(s.toString(), (double) label));
    }
    StructType schema = new StructType().add("text", DataTypes.StringType).add("label", DataTypes.DoubleType);
    return session.createDataFrame(rows, schema);
  }

  /**
   * Source and target string columns: 1 to 4 English counting words and their German, as
   * {@code io.spindle.ml.TransformerTranslatorTest} writes them.
   */
  static Dataset<Row> pairs(SparkSession session, int n) {
    String[] english = {"one", "two", "three", "four", "five"};
    String[] german = {"eins", "zwei", "drei", "vier", "fünf"};
    SplittableRandom r = new SplittableRandom(2);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      StringBuilder en = new StringBuilder();
      StringBuilder de = new StringBuilder();
      for (int w = 0, words = 1 + r.nextInt(4); w < words; w++) {
        int k = r.nextInt(english.length);
        en.append(w == 0 ? "" : " ").append(english[k]);
        de.append(w == 0 ? "" : " ").append(german[k]);
      }
      rows.add(RowFactory.create(en.toString(), de.toString()));
    }
    StructType schema = new StructType().add("source", DataTypes.StringType).add("target", DataTypes.StringType);
    return session.createDataFrame(rows, schema);
  }

  /** The tagged blocks of README.md and of every page under docs/, in that order. */
  static List<Snippet> allSnippets() throws IOException {
    List<Path> pages = new ArrayList<>(List.of(README));
    try (Stream<Path> docs = Files.list(DOCS)) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    List<Snippet> out = new ArrayList<>();
    for (Path page : pages) {
      out.addAll(snippets(page, Files.readAllLines(page, StandardCharsets.UTF_8)));
    }
    return out;
  }

  /** The tagged blocks of {@code markdown}; a tag not followed by a Java block is an error naming its line. */
  static List<Snippet> snippets(Path page, List<String> markdown) {
    List<Snippet> out = new ArrayList<>();
    for (int i = 0; i < markdown.size(); i++) {
      Matcher m = MARKER.matcher(markdown.get(i));
      if (!m.find()) {
        continue;
      }
      if (i + 1 >= markdown.size() || !markdown.get(i + 1).strip().equals("```java")) {
        fail(page + " line " + (i + 1) + ": tested-snippet " + m.group(1) + " must be followed by a ```java block");
      }
      int end = i + 2;
      while (end < markdown.size() && !markdown.get(end).strip().equals("```")) {
        end++;
      }
      if (end == markdown.size()) {
        fail(page + " line " + (i + 2) + ": the block of tested-snippet " + m.group(1) + " is not closed");
      }
      out.add(new Snippet(page, m.group(1), i + 3, markdown.subList(i + 2, end)));
    }
    return out;
  }

  @Test
  void theReadmeHasTheClassifierSnippetAndEveryTagIsAJavaBlock() throws IOException {
    List<String> names = snippets(README, Files.readAllLines(README, StandardCharsets.UTF_8)).stream()
        .map(Snippet::name).toList();
    assertTrue(names.contains("classifier-pipeline"), "tested snippets in README.md: " + names);
    List<String> all = allSnippets().stream().map(Snippet::name).toList();
    assertTrue(all.stream().distinct().count() == all.size(), "snippet names must be unique: " + all);
    assertTrue(all.containsAll(List.of("classifier", "language-model", "translation")),
        "every MLlib family's snippet is tested: " + all);
    List<String> bad = List.of("<!-- tested-snippet: x -->", "```bash", "echo", "```");
    AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
        () -> snippets(README, bad));
    assertTrue(e.getMessage().contains("line 1"), e.getMessage());
  }

  @TestFactory
  Stream<DynamicTest> everyTaggedSnippetCompilesAndRuns() throws IOException {
    return allSnippets().stream().map(s -> DynamicTest.dynamicTest(s.page() + ": " + s.name(),
        () -> compileAndRun(s)));
  }

  static void compileAndRun(Snippet snippet) throws Exception {
    String className = "Snippet_" + snippet.name().replaceAll("[^A-Za-z0-9_]", "_");
    StringBuilder source = new StringBuilder();
    List<String> body = new ArrayList<>();
    int bodyFirstLine = -1;
    for (int i = 0; i < snippet.lines().size(); i++) {
      String line = snippet.lines().get(i);
      if (bodyFirstLine < 0 && (line.startsWith("import ") || line.isBlank())) {
        source.append(line).append('\n');
      } else {
        bodyFirstLine = bodyFirstLine < 0 ? i : bodyFirstLine;
        body.add(line);
      }
    }
    List<String> parameters = INPUTS.stream().map(in -> in.type() + " " + in.name()).toList();
    source.append("public final class ").append(className).append(" {\n");
    source.append("  public static void run(").append(String.join(", ", parameters)).append(") throws Exception {\n");
    long header = source.chars().filter(c -> c == '\n').count();
    for (String line : body) {
      source.append(line).append('\n');
    }
    source.append("  }\n}\n");

    Path dir = Files.createTempDirectory(work, snippet.name());
    Path file = dir.resolve(className + ".java");
    Files.writeString(file, source);
    long start = System.nanoTime();
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertTrue(javac != null, "no system Java compiler: run the tests on a JDK");
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    boolean compiled;
    try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT,
        StandardCharsets.UTF_8)) {
      compiled = javac.getTask(null, files, diagnostics, List.of("-classpath", System.getProperty("java.class.path"),
          "-d", dir.toString(), "-proc:none", "-Xlint:none"), null,
          files.getJavaFileObjects(file.toFile())).call();
    }
    if (!compiled) {
      StringBuilder message = new StringBuilder("snippet " + snippet.name() + " of " + snippet.page()
          + " does not compile:");
      for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
        long line = d.getLineNumber() - header - 1; // 0-based line of the body
        String where = line >= 0 && line < body.size()
            ? snippet.page() + " line " + (snippet.firstLine() + bodyFirstLine + line)
            : "generated line " + d.getLineNumber();
        message.append("\n  ").append(where).append(": ").append(d.getMessage(Locale.ROOT));
      }
      fail(message.toString());
    }
    double compileSeconds = (System.nanoTime() - start) / 1e9;
    Path outputs = Files.createDirectories(dir.resolve("outputs"));
    String outputDir = outputs.toUri().toString().replaceAll("/$", ""); // a Hadoop path, "file:/..."
    Object[] arguments = INPUTS.stream().map(in -> in.value().apply(spark, outputDir)).toArray();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()},
        ReadmeSnippetsTest.class.getClassLoader())) {
      Method run = Stream.of(loader.loadClass(className).getMethods()).filter(m -> m.getName().equals("run"))
          .findFirst().orElseThrow();
      start = System.nanoTime();
      run.invoke(null, arguments);
      System.out.printf("snippet %s of %s: compiled in %.1f s, ran in %.1f s%n", snippet.name(), snippet.page(),
          compileSeconds, (System.nanoTime() - start) / 1e9);
    } catch (InvocationTargetException e) {
      throw new AssertionError("snippet " + snippet.name() + " of " + snippet.page() + " threw " + e.getCause(),
          e.getCause());
    }
  }
}
