import ts from 'typescript';

/** How a module is brought in. */
export type ImportKind =
  | 'import' // import x from '…', import { x } from '…', import type … from '…'
  | 'side-effect' // import '…'
  | 'export' // export … from '…'
  | 'dynamic' // import('…')
  | 'require' // require('…'), import x = require('…')
  | 'type'; // import('…') in a type: type T = import('…').T

/** One import found in a source file. */
export interface ImportRef {
  kind: ImportKind;
  /** 1-based line of the import. */
  line: number;
  /** The module specifier; undefined when it is computed (not a string literal). */
  specifier?: string;
  /** For a computed specifier: the expression, as written (shortened). */
  expression?: string;
  /** For a computed specifier: the reason given by a `// dynamic import allowed: <reason>` line above. */
  allowedBecause?: string;
}

/** The comment that allows one import by computed path, on the line just above it. */
const ALLOW_COMMENT = /^\s*\/\/\s*dynamic import allowed:\s*(\S.*?)\s*$/;

/**
 * Every import of a TypeScript or JavaScript source text, found by parsing it (so that text in
 * comments, strings and template literals is never taken for an import). `fileName` only picks the
 * syntax: .ts/.mts/.cts as TypeScript, anything else as JavaScript.
 */
export function scanImports(source: string, fileName = 'source.ts'): ImportRef[] {
  const kind = /\.[cm]?ts$/.test(fileName) ? ts.ScriptKind.TS : ts.ScriptKind.JS;
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, kind);
  const lines = source.split(/\r?\n/);
  const found: ImportRef[] = [];

  const lineOf = (node: ts.Node) => file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1;
  const literal = (node: ts.Node | undefined): string | undefined =>
    node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined;
  const add = (importKind: ImportKind, node: ts.Node, argument: ts.Node | undefined) => {
    const line = lineOf(node);
    const specifier = literal(argument);
    if (specifier !== undefined) {
      found.push({ kind: importKind, line, specifier });
      return;
    }
    const expression = (argument?.getText(file) ?? '').replace(/\s+/g, ' ');
    const ref: ImportRef = {
      kind: importKind,
      line,
      expression: expression.length > 80 ? `${expression.slice(0, 77)}...` : expression,
    };
    const allow = ALLOW_COMMENT.exec(lines[line - 2] ?? '');
    if (allow?.[1]) ref.allowedBecause = allow[1];
    found.push(ref);
  };

  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      add(node.importClause ? 'import' : 'side-effect', node, node.moduleSpecifier);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      add('export', node, node.moduleSpecifier);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add('require', node, node.moduleReference.expression);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add('dynamic', node, node.arguments[0]);
    } else if (
      ts.isCallExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'require' &&
      node.arguments.length === 1
    ) {
      add('require', node, node.arguments[0]);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add('type', node, node.argument.literal);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** `@scope/pkg/sub/path` → `@scope/pkg`, `pkg/sub` → `pkg`: the package a bare specifier names. */
export function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** A relative or absolute path (`./x`, `../x`, `.`, `..`, `/x`), as opposed to a package or a URL. */
export function isPathSpecifier(specifier: string): boolean {
  return /^\.\.?(\/|$)/.test(specifier) || specifier.startsWith('/');
}

/** A bare specifier names a package: not a path, not a URL (`node:`, `file:`, `data:`), not `#internal`. */
export function isBareSpecifier(specifier: string): boolean {
  return !isPathSpecifier(specifier) && !/^[a-z][a-z0-9+.-]*:/i.test(specifier) && !specifier.startsWith('#');
}
