// The .kir text form of the graph IR: a printer and a parser (grammar: docs/kir.md).
//
// Contract. PrintGraph writes one canonical text per graph: `graph NAME {`, the inputs, the
// parameters, the nodes in program order, the outputs, `}`. Unnamed node results (and results
// whose name is a plain number) are numbered %0, %1, ... in program order; every other name
// prints as written, quoted when it holds characters outside [A-Za-z0-9_.]. Attributes print
// all of them, sorted by name, with floats spelled so they read back to the same double. So
// for canonical text t, PrintGraph(*ParseGraph(t)) == t byte for byte, and printing a graph,
// parsing it and printing again gives the same text.
//
// ParseGraph accepts the same grammar with free whitespace and `#` comments. It resolves every
// `%name` (a use before its definition or a second definition is an error), looks each op up
// in the op table, parses attributes by the kind the op declares, fills default attributes,
// and checks the operand count and the number of results against the op. It does not run
// shape inference: result types are recorded as written, and ir::Verify checks them. Weights
// are not part of the text form; a parsed graph has none.
//
// Errors are InvalidArgument "FILENAME:LINE:COL: message" with 1-based line and column
// (columns count bytes); syntax errors read "expected X, got Y". The parser never crashes or
// reads out of bounds on any input, whatever its size or contents.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "ir/graph.h"
#include "ir/status.h"

namespace kiln::ir {

/// Canonical text of a graph. print(parse(canonical_text)) == canonical_text, byte for byte.
/// A graph that fails ir::Verify still prints (dangling operands print as `%"<undefined>"`),
/// but the text may not parse back.
std::string PrintGraph(const Graph& graph);

/// Parses .kir text. Errors: InvalidArgument "FILENAME:LINE:COL: expected X, got Y" (1-based
/// line/col), naming what was expected. Never crashes on any input (bounded recursion, no
/// out-of-bounds reads).
StatusOr<std::unique_ptr<Graph>> ParseGraph(std::string_view text, std::string_view filename = "<input>");

/// Reads and parses a file (IoError naming the path if unreadable).
StatusOr<std::unique_ptr<Graph>> ParseGraphFile(const std::string& path);

/// True when `name` prints bare in .kir text (non-empty, only [A-Za-z0-9_.]); else it is quoted.
bool IsBareKirName(std::string_view name);

}  // namespace kiln::ir
