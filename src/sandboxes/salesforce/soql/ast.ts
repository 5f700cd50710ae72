/** A dotted field reference as written, e.g. `Owner.Name` is `['Owner', 'Name']`. */
export interface FieldPath {
  path: string[];
  offset: number;
}

export type Literal =
  | { kind: 'string'; value: string; likeText: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'datetime'; text: string; ms: number; dateOnly: boolean };

export type ComparisonOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type Condition =
  | { kind: 'and' | 'or'; operands: Condition[] }
  | { kind: 'not'; operand: Condition }
  | { kind: 'compare'; field: FieldPath; operator: ComparisonOperator; value: Literal; offset: number }
  | { kind: 'in'; field: FieldPath; negated: boolean; values: Literal[]; offset: number }
  | { kind: 'like'; field: FieldPath; value: Literal; offset: number };

export interface OrderItem {
  field: FieldPath;
  descending: boolean;
  nullsLast: boolean;
}

export interface SelectQuery {
  /** `count` for `SELECT COUNT() FROM …`, which answers totalSize with no records. */
  select: FieldPath[] | 'count';
  from: { name: string; offset: number };
  where: Condition | undefined;
  orderBy: OrderItem[];
  limit: number | undefined;
  offset: number | undefined;
}
