package dev.burnguard.cli;

import dev.burnguard.flag.FlagSet.FlagProblem;
import dev.burnguard.flag.FlagSet;
import dev.burnguard.flag.InvalidFlagSetException;
import dev.burnguard.internal.json.JsonWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code burnguard validate FILE…}: everything the provider's parser checks, all or nothing per file. */
@Command(name = "validate", sortOptions = false, header = "Checks flag files as the provider would load them (CI-friendly exit codes).",
    description = {
        "Checks flag files as the provider loads them: JSON syntax, flagd's format, targeting rules, and "
            + "every \"rollout\" plan (stages, SLO, rules...). Each problem is printed with its file, JSON path "
            + "and value. For CI: exit code 0 when every file is valid, 1 when any has a problem, 3 when one "
            + "cannot be read.",
        "",
        "Example: burnguard validate flags/*.json --format json"})
final class ValidateCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "flag files (flagd format with Burnguard's \"rollout\")")
  List<Path> files;

  @Option(names = "--format", paramLabel = "text|json", defaultValue = "text",
      description = "text (default: one line per file or problem) or json (one object: files, problems, valid)")
  Format format;

  enum Format { text, json }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    int code = BurnguardCli.OK;
    List<Object> results = new ArrayList<>();
    for (Path file : files) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("file", file.toString());
      List<Object> problems = new ArrayList<>();
      String json = null;
      try {
        json = Files.readString(file, StandardCharsets.UTF_8);
      } catch (NoSuchFileException e) {
        problems.add(problem("$", null, "no such file"));
        code = BurnguardCli.NOT_FOUND;
      } catch (MalformedInputException e) {
        problems.add(problem("$", null, "not UTF-8 text"));
        code = Math.max(code, BurnguardCli.INVALID);
      } catch (IOException e) {
        problems.add(problem("$", null, "cannot read: " + e));
        code = BurnguardCli.NOT_FOUND;
      }
      if (json != null) {
        try {
          FlagSet set = FlagSet.parse(json, file.toString());
          r.put("flags", (long) set.flags().size());
          r.put("rollouts", new ArrayList<Object>(set.rollouts().keySet()));
        } catch (InvalidFlagSetException e) {
          for (FlagProblem p : e.problems()) {
            problems.add(problem(p.jsonPath(), p.value(), p.message()));
          }
          code = code == BurnguardCli.OK ? BurnguardCli.INVALID : code;
        }
      }
      r.put("valid", problems.isEmpty());
      r.put("problems", problems);
      results.add(r);
      if (format == Format.text) {
        if (problems.isEmpty()) {
          out.println(file + ": valid (" + r.get("flags") + " flags, rollouts: " + r.get("rollouts") + ")");
        } else {
          for (Object o : problems) {
            @SuppressWarnings("unchecked")
            Map<String, Object> p = (Map<String, Object>) o;
            out.println(file + ": " + p.get("jsonPath") + ": " + p.get("message")
                + (p.get("value") == null ? "" : " (value: " + p.get("value") + ")"));
          }
        }
      }
    }
    if (format == Format.json) {
      Map<String, Object> all = new LinkedHashMap<>();
      all.put("valid", code == BurnguardCli.OK);
      all.put("files", results);
      out.println(JsonWriter.write(all));
    }
    out.flush();
    return code;
  }

  private static Map<String, Object> problem(String path, String value, String message) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("jsonPath", path);
    p.put("value", value);
    p.put("message", message);
    return p;
  }
}
