package dev.burnguard.architecture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The dependency graph between {@code dev.burnguard.*} packages, read from the main sources' imports
 * and fully qualified references (comments included, so a Javadoc-only reference counts too), and
 * its cycles (strongly connected components of more than one package, found with Tarjan's
 * algorithm).
 */
final class PackageGraph {
  private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+);", Pattern.MULTILINE);
  /** A reference to a type: lower-case package segments, then an upper-case type name. */
  private static final Pattern REFERENCE = Pattern.compile("\\b(dev\\.burnguard(?:\\.[a-z]\\w*)*)\\.[A-Z]");

  private final Map<String, Set<String>> edges = new TreeMap<>();

  /** Adds the edge {@code from -> to} (a self edge is ignored). */
  PackageGraph edge(String from, String to) {
    edges.computeIfAbsent(from, k -> new TreeSet<>());
    edges.computeIfAbsent(to, k -> new TreeSet<>());
    if (!from.equals(to)) {
      edges.get(from).add(to);
    }
    return this;
  }

  /** The graph of every {@code .java} file under the given source roots. */
  static PackageGraph ofSources(List<Path> sourceRoots) {
    PackageGraph graph = new PackageGraph();
    for (Path root : sourceRoots) {
      try (Stream<Path> files = Files.walk(root)) {
        for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
          String source = Files.readString(file);
          Matcher pkg = PACKAGE.matcher(source);
          if (!pkg.find()) {
            throw new IllegalStateException(file + ": no package declaration");
          }
          String from = pkg.group(1);
          graph.edge(from, from);
          Matcher ref = REFERENCE.matcher(source);
          while (ref.find()) {
            graph.edge(from, ref.group(1));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return graph;
  }

  Map<String, Set<String>> edges() {
    return edges;
  }

  /** Every cycle, as the sorted set of the packages in one strongly connected component. */
  List<Set<String>> cycles() {
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    Set<String> onStack = new TreeSet<>();
    List<Set<String>> cycles = new ArrayList<>();
    int[] counter = {0};
    for (String node : edges.keySet()) {
      if (!index.containsKey(node)) {
        strongConnect(node, index, low, stack, onStack, cycles, counter);
      }
    }
    return cycles;
  }

  private void strongConnect(String node, Map<String, Integer> index, Map<String, Integer> low, Deque<String> stack,
      Set<String> onStack, List<Set<String>> cycles, int[] counter) {
    index.put(node, counter[0]);
    low.put(node, counter[0]);
    counter[0]++;
    stack.push(node);
    onStack.add(node);
    for (String next : edges.get(node)) {
      if (!index.containsKey(next)) {
        strongConnect(next, index, low, stack, onStack, cycles, counter);
        low.put(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.contains(next)) {
        low.put(node, Math.min(low.get(node), index.get(next)));
      }
    }
    if (low.get(node).equals(index.get(node))) {
      Set<String> component = new TreeSet<>();
      String member;
      do {
        member = stack.pop();
        onStack.remove(member);
        component.add(member);
      } while (!member.equals(node));
      if (component.size() > 1) {
        cycles.add(component);
      }
    }
  }
}
