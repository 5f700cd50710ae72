import type { ComparisonOperator, Condition, FieldPath, Literal, OrderItem, SelectQuery } from './ast.js';
import { malformedQuery, type Token, tokenize, unescapeString } from './lexer.js';

const CLAUSE_KEYWORDS = new Set([
  'from',
  'where',
  'order',
  'limit',
  'offset',
  'and',
  'or',
  'not',
  'in',
  'like',
]);

/**
 * Parses the SOQL subset an adapter sends, by recursive descent over the lexer's tokens. Errors are
 * MALFORMED_QUERY with the org's caret-and-column message.
 */
export function parseSoql(query: string): SelectQuery {
  return new Parser(query).parseQuery();
}

class Parser {
  private readonly tokens: Token[];
  private position = 0;

  constructor(private readonly query: string) {
    this.tokens = tokenize(query);
  }

  parseQuery(): SelectQuery {
    this.expectKeyword('select');
    const select = this.parseSelectList();
    this.expectKeyword('from');
    const fromToken = this.expect('ident');
    const where = this.acceptKeyword('where') ? this.parseCondition() : undefined;
    const orderBy: OrderItem[] = [];
    if (this.acceptKeyword('order')) {
      this.expectKeyword('by');
      do orderBy.push(this.parseOrderItem());
      while (this.acceptPunct(','));
    }
    const limit = this.acceptKeyword('limit') ? this.parseCount() : undefined;
    const offset = this.acceptKeyword('offset') ? this.parseCount() : undefined;
    if (this.peek().kind !== 'eof') throw this.unexpected();
    return {
      select,
      from: { name: fromToken.text, offset: fromToken.offset },
      where,
      orderBy,
      limit,
      offset,
    };
  }

  private parseSelectList(): FieldPath[] | 'count' {
    if (this.isKeyword(this.peek(), 'count') && this.peek(1).text === '(') {
      this.position++;
      this.expectPunct('(');
      this.expectPunct(')');
      return 'count';
    }
    const fields = [this.parseFieldPath()];
    while (this.acceptPunct(',')) fields.push(this.parseFieldPath());
    return fields;
  }

  private parseFieldPath(): FieldPath {
    const first = this.peek();
    if (first.kind !== 'ident' || CLAUSE_KEYWORDS.has(first.text.toLowerCase())) throw this.unexpected();
    this.position++;
    const path = [first.text];
    while (this.acceptPunct('.')) path.push(this.expect('ident').text);
    return { path, offset: first.offset };
  }

  /** SOQL refuses AND and OR side by side without parentheses, so one level holds one operator. */
  private parseCondition(): Condition {
    const first = this.parseUnary();
    const joiner = this.peek();
    const operator = this.isKeyword(joiner, 'and') ? 'and' : this.isKeyword(joiner, 'or') ? 'or' : undefined;
    if (!operator) return first;
    const operands = [first];
    while (this.acceptKeyword(operator)) operands.push(this.parseUnary());
    const other = operator === 'and' ? 'or' : 'and';
    if (this.isKeyword(this.peek(), other)) throw this.unexpected();
    return { kind: operator, operands };
  }

  private parseUnary(): Condition {
    if (this.acceptKeyword('not')) return { kind: 'not', operand: this.parseUnary() };
    if (this.acceptPunct('(')) {
      const inner = this.parseCondition();
      this.expectPunct(')');
      return inner;
    }
    return this.parsePredicate();
  }

  private parsePredicate(): Condition {
    const field = this.parseFieldPath();
    const token = this.peek();
    if (token.kind === 'op') {
      this.position++;
      const operator = (token.text === '<>' ? '!=' : token.text) as ComparisonOperator;
      return { kind: 'compare', field, operator, value: this.parseLiteral(), offset: token.offset };
    }
    const negated = this.acceptKeyword('not');
    if (this.acceptKeyword('in')) {
      this.expectPunct('(');
      const values = [this.parseLiteral()];
      while (this.acceptPunct(',')) values.push(this.parseLiteral());
      this.expectPunct(')');
      return { kind: 'in', field, negated, values, offset: token.offset };
    }
    if (!negated && this.acceptKeyword('like')) {
      return { kind: 'like', field, value: this.parseLiteral(), offset: token.offset };
    }
    throw this.unexpected();
  }

  private parseLiteral(): Literal {
    const token = this.peek();
    this.position++;
    switch (token.kind) {
      case 'string': {
        const likeText = unescapeString(this.query, token);
        return { kind: 'string', value: likeText.replace(/\\([_%])/g, '$1'), likeText };
      }
      case 'number':
        return { kind: 'number', value: Number(token.text) };
      case 'datetime': {
        const dateOnly = token.text.length === 10;
        const ms = Date.parse(dateOnly ? `${token.text}T00:00:00Z` : token.text);
        if (Number.isNaN(ms)) break;
        return { kind: 'datetime', text: token.text, ms, dateOnly };
      }
      case 'ident': {
        const word = token.text.toLowerCase();
        if (word === 'true' || word === 'false') return { kind: 'boolean', value: word === 'true' };
        if (word === 'null') return { kind: 'null' };
        break;
      }
      default:
        break;
    }
    this.position--;
    throw this.unexpected();
  }

  private parseOrderItem(): OrderItem {
    const field = this.parseFieldPath();
    let descending = false;
    if (this.acceptKeyword('desc')) descending = true;
    else this.acceptKeyword('asc');
    // SOQL sorts nulls first when ascending and last when descending unless told otherwise.
    let nullsLast = descending;
    if (this.acceptKeyword('nulls')) {
      if (this.acceptKeyword('last')) nullsLast = true;
      else {
        this.expectKeyword('first');
        nullsLast = false;
      }
    }
    return { field, descending, nullsLast };
  }

  private parseCount(): number {
    const token = this.expect('number');
    const n = Number(token.text);
    if (!Number.isInteger(n) || n < 0)
      throw malformedQuery(this.query, token.offset, `unexpected token: '${token.text}'`);
    return n;
  }

  private peek(ahead = 0): Token {
    return (
      this.tokens[Math.min(this.position + ahead, this.tokens.length - 1)] ?? {
        kind: 'eof',
        text: '<EOF>',
        offset: this.query.length,
      }
    );
  }

  private isKeyword(token: Token, word: string): boolean {
    return token.kind === 'ident' && token.text.toLowerCase() === word;
  }

  private acceptKeyword(word: string): boolean {
    if (!this.isKeyword(this.peek(), word)) return false;
    this.position++;
    return true;
  }

  private expectKeyword(word: string): void {
    if (!this.acceptKeyword(word)) throw this.unexpected();
  }

  private acceptPunct(text: string): boolean {
    const token = this.peek();
    if (token.kind !== 'punct' || token.text !== text) return false;
    this.position++;
    return true;
  }

  private expectPunct(text: string): void {
    if (!this.acceptPunct(text)) throw this.unexpected();
  }

  private expect(kind: Token['kind']): Token {
    const token = this.peek();
    if (token.kind !== kind) throw this.unexpected();
    this.position++;
    return token;
  }

  private unexpected() {
    const token = this.peek();
    const shown = token.kind === 'eof' ? '<EOF>' : token.kind === 'string' ? `'${token.text}'` : token.text;
    return malformedQuery(this.query, token.offset, `unexpected token: ${shown}`);
  }
}
