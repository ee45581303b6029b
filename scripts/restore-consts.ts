/**
 * Part of `npm run build` (scripts/bundle-package.ts): gives the package's bundles back the
 * `const` of their top-level bindings. esbuild writes every top-level `const` and `let` of a
 * bundle as `var` (deliberately, and with no option against it: evanw/esbuild#623). To V8 that is
 * not the same code: a module's `const` is a constant to the optimizing compiler — the value is
 * folded into the code, a function held in one is a known call target (called directly, inlined,
 * and needing no type feedback) — while a `var` is a slot loaded at every use. The request path
 * keeps what it imports in module consts for that reason (shim/requests.ts), and in the bundle
 * that users run they were all `var`s.
 *
 * A declaration is given `const` back only when that cannot change what the program does: a
 * top-level `var` statement whose every binding has an initializer and is never assigned anywhere
 * in the file (any assignment, `++`/`--`, a destructuring or for-in/of target naming it, in any
 * scope: a shadowing local of the same name keeps it `var`, which is only ever less). What was
 * `let` in the sources and never assigned becomes `const` too; the temporal dead zone is the
 * sources' own (`npm test` runs the sources, where it already holds).
 */
import ts from 'typescript';

/** What restoreConsts did to one file. */
export interface RestoredConsts {
  /** The file's new text. */
  readonly code: string;
  /** How many `var` statements became `const`. */
  readonly restored: number;
  /** How many top-level `var` statements stayed (assigned somewhere, or without an initializer). */
  readonly kept: number;
}

/** The names a binding pattern (or a plain name) binds. */
function boundNames(name: ts.BindingName, into: string[]): string[] {
  if (ts.isIdentifier(name)) into.push(name.text);
  else for (const element of name.elements) if (!ts.isOmittedExpression(element)) boundNames(element.name, into);
  return into;
}

/** The names an assignment target (a name, or an array/object literal used as a pattern) assigns. */
function assignedNames(target: ts.Expression, into: Set<string>): void {
  if (ts.isIdentifier(target)) into.add(target.text);
  else if (ts.isParenthesizedExpression(target)) assignedNames(target.expression, into);
  else if (ts.isArrayLiteralExpression(target)) {
    for (const element of target.elements) assignedNames(ts.isSpreadElement(element) ? element.expression : element, into);
  } else if (ts.isObjectLiteralExpression(target)) {
    for (const property of target.properties) {
      if (ts.isPropertyAssignment(property)) assignedNames(property.initializer, into);
      else if (ts.isShorthandPropertyAssignment(property)) into.add(property.name.text);
      else if (ts.isSpreadAssignment(property)) assignedNames(property.expression, into);
    }
  } else if (ts.isBinaryExpression(target) && target.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    // A default in a pattern: `[a = 1] = ...` assigns `a`.
    assignedNames(target.left, into);
  }
}

/** Every name assigned anywhere in the file, in any scope. */
function everyAssignedName(file: ts.SourceFile): Set<string> {
  const assigned = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      assignedNames(node.left, assigned);
    } else if ((ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) && (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)) {
      assignedNames(node.operand, assigned);
    } else if ((ts.isForInStatement(node) || ts.isForOfStatement(node)) && !ts.isVariableDeclarationList(node.initializer)) {
      assignedNames(node.initializer, assigned);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return assigned;
}

/**
 * restoreConsts - turn the top-level `var` statements of an ES module's text that are never
 * assigned back into `const`.
 *
 * @param code - the module's text (esbuild's ESM output).
 * @param fileName - for the parser's messages.
 * @returns the new text and what changed.
 * @throws Error when the text does not parse.
 * @example
 * ```ts
 * restoreConsts('var a = 1;\nvar b = 2;\nb++;\n', 'x.js').code; // 'const a = 1;\nvar b = 2;\nb++;\n'
 * ```
 */
export function restoreConsts(code: string, fileName: string): RestoredConsts {
  const file = ts.createSourceFile(fileName, code, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const diagnostics = (file as unknown as { parseDiagnostics?: readonly ts.Diagnostic[] }).parseDiagnostics ?? [];
  if (diagnostics.length > 0) throw new Error(`${fileName}: does not parse: ${ts.flattenDiagnosticMessageText(diagnostics[0]?.messageText ?? '', '\n')}`);
  const assigned = everyAssignedName(file);
  const starts: number[] = [];
  let kept = 0;
  for (const statement of file.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const list = statement.declarationList;
    if ((list.flags & ts.NodeFlags.BlockScoped) !== 0) continue;
    const names: string[] = [];
    let initialized = true;
    for (const declaration of list.declarations) {
      if (declaration.initializer === undefined) initialized = false;
      boundNames(declaration.name, names);
    }
    if (!initialized || names.some((name) => assigned.has(name))) {
      kept++;
      continue;
    }
    starts.push(list.getStart(file));
  }
  let out = code;
  // From the end, so earlier positions stay right.
  for (let i = starts.length - 1; i >= 0; i--) {
    const at = starts[i] as number;
    if (out.slice(at, at + 3) !== 'var') throw new Error(`${fileName}: expected 'var' at ${at}`);
    out = `${out.slice(0, at)}const${out.slice(at + 3)}`;
  }
  return { code: out, restored: starts.length, kept };
}
