// The conditions of a conditional node, evaluated the way gateway 1.15.2 evaluates them (its
// services/conditionalRouter.ts, read for this): first match wins, then `default`.
import type { Condition } from '../model/tree.js';

/** What a query can read: metadata.*, params.* and url.pathname, two levels deep only. */
export interface RequestContext {
  metadata: Record<string, unknown>;
  params: Record<string, unknown>;
  url: { pathname: string };
}

export const OPERATORS = [
  '$eq',
  '$ne',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$in',
  '$nin',
  '$regex',
  '$and',
  '$or',
] as const;

/** The name of the target a conditional node picks for this context, or undefined (HTTP 400). */
export function resolveBranch(
  conditions: readonly Condition[],
  fallbackName: string | undefined,
  context: RequestContext,
): string | undefined {
  for (const condition of conditions) {
    if (matches(condition.query, context)) return condition.then;
  }
  return fallbackName;
}

/**
 * A query object: every key must hold. `$or` and `$and` decide the whole query when reached (keys
 * after them are not looked at); any other key is a field path compared with a value (strict
 * equality) or an operator object.
 */
export function matches(query: Record<string, unknown>, context: RequestContext): boolean {
  for (const [key, expected] of Object.entries(query)) {
    if ((key === '$or' || key === '$and') && Array.isArray(expected)) {
      const parts = expected as Record<string, unknown>[];
      return key === '$or'
        ? parts.some((part) => matches(part, context))
        : parts.every((part) => matches(part, context));
    }
    const actual = fieldValue(key, context);
    const holds =
      typeof expected === 'object' && expected !== null
        ? operatorsHold(expected as Record<string, unknown>, actual)
        : actual === expected;
    if (!holds) return false;
  }
  return true;
}

/** `metadata.plan` -> context.metadata.plan; deeper paths read only their first two parts. */
function fieldValue(path: string, context: RequestContext): unknown {
  const [first, second] = path.split('.');
  const top = (context as unknown as Record<string, unknown>)[first ?? ''];
  return second === undefined || typeof top !== 'object' || top === null
    ? undefined
    : (top as Record<string, unknown>)[second];
}

/**
 * An operator object such as {"$gte": 5, "$lt": 10}: all must hold. Numbers compare as
 * parseFloat does; `$regex` decides at once (operators after it are not looked at); an
 * unknown operator makes the gateway answer 400 (the lint reports it).
 */
function operatorsHold(operators: Record<string, unknown>, actual: unknown): boolean {
  const number = (v: unknown) => Number.parseFloat(String(v));
  for (const [operator, operand] of Object.entries(operators)) {
    switch (operator) {
      case '$eq':
        if (actual !== operand) return false;
        break;
      case '$ne':
        if (actual === operand) return false;
        break;
      case '$gt':
        if (!(number(actual) > number(operand))) return false;
        break;
      case '$gte':
        if (!(number(actual) >= number(operand))) return false;
        break;
      case '$lt':
        if (!(number(actual) < number(operand))) return false;
        break;
      case '$lte':
        if (!(number(actual) <= number(operand))) return false;
        break;
      case '$in':
        if (!Array.isArray(operand) || !operand.includes(actual)) return false;
        break;
      case '$nin':
        if (!Array.isArray(operand) || operand.includes(actual)) return false;
        break;
      case '$regex':
        try {
          return new RegExp(String(operand)).test(String(actual));
        } catch {
          return false;
        }
      default:
        return false;
    }
  }
  return true;
}
