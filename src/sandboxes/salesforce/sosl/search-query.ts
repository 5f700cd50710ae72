/**
 * The `{SearchQuery}` of a SOSL FIND clause (SOSL reference, "FIND {SearchQuery}"): words and quoted
 * phrases, the operators AND, OR and AND NOT (an absent operator is AND), parentheses, and the
 * wildcards `*` and `?`. The reserved characters `? & | ! { } [ ] ( ) ^ ~ * : \ " ' + -` are taken
 * literally only when escaped with a backslash; "an error occurs if you do not precede reserved
 * characters with a backslash. This is true even if the SearchQuery is enclosed in double quotes."
 * The error is MALFORMED_SEARCH with the caret message an org gives, e.g.
 * `line 1:10 mismatched character '|' expecting '}'` (as answered for `FIND {John|jane…}`). The
 * wording of the other refusals (an operator out of place, an empty query) is the sandbox's own.
 */
import { malformedQuery } from '../soql/lexer.js';

export type SearchExpr =
  /** `pattern` is the term with escapes resolved; `*` and `?` in it are wildcards, escaped ones are dropped. */
  | { kind: 'term'; pattern: string }
  | { kind: 'and' | 'or'; operands: SearchExpr[] }
  | { kind: 'andNot'; include: SearchExpr; exclude: SearchExpr };

/** Reserved characters that may not appear unescaped in a word (wildcards and grouping are syntax). */
const RESERVED_IN_WORD = new Set(['&', '|', '!', '{', '[', ']', '^', '~', ':', "'", '+', '-']);
/** "If SearchQuery is longer than 4,000 characters, any logical operators are removed." */
const OPERATORS_KEPT_UP_TO = 4000;
/** "If the SearchQuery string is longer than 10,000 characters, no result rows are returned." */
export const MAX_SEARCH_QUERY_LENGTH = 10_000;

type Token =
  | { kind: 'word' | 'phrase'; pattern: string; text: string; offset: number }
  | { kind: '(' | ')'; offset: number };

export function malformedSearch(sosl: string, offset: number, detail: string) {
  return malformedQuery(sosl, offset, detail, 'MALFORMED_SEARCH');
}

/**
 * Reads the search query that starts after `{` at `start`; answers it and the index of the closing
 * `}`. Past 4,000 characters the operators go and every term is OR-ed, as the reference says.
 */
export function parseSearchQuery(
  sosl: string,
  start: number,
): { expr: SearchExpr; end: number; length: number } {
  const { tokens, end } = scan(sosl, start);
  const length = end - start;
  if (tokens.length === 0)
    throw malformedSearch(sosl, end, 'No search term found. The search term must be enclosed in braces.');
  if (length > OPERATORS_KEPT_UP_TO) {
    const terms = tokens.flatMap((t) =>
      (t.kind === 'word' || t.kind === 'phrase') && !isOperator(t) ? [t] : [],
    );
    return {
      expr: { kind: 'or', operands: terms.map((t) => ({ kind: 'term', pattern: t.pattern })) },
      end,
      length,
    };
  }
  const parser = new ExprParser(sosl, tokens, end);
  return { expr: parser.parse(), end, length };
}

function isOperator(token: Token): boolean {
  return token.kind === 'word' && /^(and|or|not)$/i.test(token.text);
}

function mismatched(sosl: string, offset: number, found: string) {
  return malformedSearch(sosl, offset, `line 1:${offset + 1} mismatched character '${found}' expecting '}'`);
}

function scan(sosl: string, start: number): { tokens: Token[]; end: number } {
  const tokens: Token[] = [];
  let i = start;
  for (;;) {
    const c = sosl.charAt(i);
    if (i >= sosl.length) throw mismatched(sosl, i, '<EOF>');
    if (c === '}') return { tokens, end: i };
    if (/\s/.test(c)) i++;
    else if (c === '(' || c === ')') tokens.push({ kind: c, offset: i++ });
    else if (c === '"') {
      const phrase = readRun(sosl, i + 1, (ch) => ch === '"' || ch === '}', true);
      if (sosl.charAt(phrase.end) !== '"')
        throw mismatched(sosl, phrase.end, sosl.charAt(phrase.end) || '<EOF>');
      tokens.push({ kind: 'phrase', pattern: phrase.pattern, text: phrase.text, offset: i });
      i = phrase.end + 1;
    } else {
      const word = readRun(sosl, i, (ch) => /\s/.test(ch) || '()"}'.includes(ch), false);
      tokens.push({ kind: 'word', pattern: word.pattern, text: word.text, offset: i });
      i = word.end;
    }
  }
}

/** Characters up to a stop character, escapes resolved; unescaped reserved characters are refused. */
function readRun(
  sosl: string,
  start: number,
  stops: (c: string) => boolean,
  inPhrase: boolean,
): { pattern: string; text: string; end: number } {
  let pattern = '';
  let i = start;
  while (i < sosl.length) {
    const c = sosl.charAt(i);
    if (c === '\\') {
      const escaped = sosl.charAt(i + 1);
      if (escaped === '') throw mismatched(sosl, i + 1, '<EOF>');
      // A literal `*` or `?` is no wildcard; it is no digit either, so a space stands in for it.
      pattern += escaped === '*' || escaped === '?' ? ' ' : escaped;
      i += 2;
      continue;
    }
    if (stops(c)) break;
    if (RESERVED_IN_WORD.has(c) || c === '{' || (inPhrase && (c === '(' || c === ')')))
      throw mismatched(sosl, i, c);
    pattern += c;
    i++;
  }
  return { pattern, text: sosl.slice(start, i), end: i };
}

class ExprParser {
  private position = 0;

  constructor(
    private readonly sosl: string,
    private readonly tokens: Token[],
    private readonly end: number,
  ) {}

  parse(): SearchExpr {
    const expr = this.parseOr();
    if (this.position < this.tokens.length) throw this.unexpected();
    return expr;
  }

  private parseOr(): SearchExpr {
    const operands = [this.parseAnd()];
    while (this.acceptWord('or')) operands.push(this.parseAnd());
    return operands.length === 1 ? (operands[0] as SearchExpr) : { kind: 'or', operands };
  }

  private parseAnd(): SearchExpr {
    let left = this.parseUnary();
    for (;;) {
      const next = this.tokens[this.position];
      if (next === undefined || next.kind === ')' || this.isWord(next, 'or')) return left;
      if (this.acceptWord('and')) {
        if (this.acceptWord('not')) {
          left = { kind: 'andNot', include: left, exclude: this.parseUnary() };
          continue;
        }
      }
      // Without an operator, AND is the default.
      left = { kind: 'and', operands: [left, this.parseUnary()] };
    }
  }

  private parseUnary(): SearchExpr {
    const token = this.tokens[this.position];
    if (token === undefined) throw this.unexpected();
    if (token.kind === '(') {
      this.position++;
      const inner = this.parseOr();
      if (this.tokens[this.position]?.kind !== ')') throw this.unexpected();
      this.position++;
      return inner;
    }
    if (!('pattern' in token) || isOperator(token)) throw this.unexpected();
    this.position++;
    return { kind: 'term', pattern: token.pattern };
  }

  private isWord(token: Token, word: string): boolean {
    return token.kind === 'word' && token.text.toLowerCase() === word;
  }

  private acceptWord(word: string): boolean {
    const token = this.tokens[this.position];
    if (token === undefined || !this.isWord(token, word)) return false;
    this.position++;
    return true;
  }

  private unexpected() {
    const token = this.tokens[this.position];
    const offset = token?.offset ?? this.end;
    const shown = token === undefined ? '}' : 'text' in token ? token.text : token.kind;
    return malformedSearch(this.sosl, offset, `unexpected token: ${shown}`);
  }
}

/**
 * Whether a record's indexed phone digits satisfy the expression. A term matches a phone field when its
 * digits (wildcards standing for digits, everything else dropped) equal the field's digits; a term with
 * no digit matches no phone field. See SearchIndex for what is modelled and what is not verified.
 */
export function matchesPhones(expr: SearchExpr, phoneDigits: readonly string[]): boolean {
  switch (expr.kind) {
    case 'term':
      return termMatcher(expr.pattern)(phoneDigits);
    case 'and':
      return expr.operands.every((operand) => matchesPhones(operand, phoneDigits));
    case 'or':
      return expr.operands.some((operand) => matchesPhones(operand, phoneDigits));
    case 'andNot':
      return matchesPhones(expr.include, phoneDigits) && !matchesPhones(expr.exclude, phoneDigits);
  }
}

function termMatcher(pattern: string): (phoneDigits: readonly string[]) => boolean {
  const digits = pattern.replace(/[^\d*?]/g, '');
  if (!/\d/.test(digits)) return () => false;
  if (!/[*?]/.test(digits)) return (phoneDigits) => phoneDigits.includes(digits);
  const regex = new RegExp(`^${digits.replace(/\*/g, '\\d*').replace(/\?/g, '\\d')}$`);
  return (phoneDigits) => phoneDigits.some((value) => regex.test(value));
}
