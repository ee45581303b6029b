/**
 * A small JSON Schema validator for the subset plugin.schema.json uses (draft 2020-12: type,
 * enum, const, pattern, minimum/maximum, minItems/maxItems, items, properties, required,
 * additionalProperties, propertyNames, oneOf, anyOf, allOf, not, if/then, and local $ref).
 * Written for the tests instead of a dependency: the schema's keywords are few, and a keyword it
 * meets but does not know is an error, so the schema cannot quietly use more than is checked.
 */

type Schema = Readonly<Record<string, unknown>>;

const KNOWN = new Set([
  '$schema', '$id', '$defs', '$ref', 'title', 'description', 'type', 'enum', 'const', 'pattern', 'minimum', 'maximum', 'minItems', 'maxItems',
  'items', 'properties', 'required', 'additionalProperties', 'propertyNames', 'oneOf', 'anyOf', 'allOf', 'not', 'if', 'then',
]);

/** One violation: where (a JSON path like `atoms[1].flgs`) and which keyword. */
export interface SchemaError {
  readonly path: string;
  readonly keyword: string;
  readonly message: string;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  const step = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `[${JSON.stringify(key)}]`;
  return path === '' ? step : step.startsWith('[') ? `${path}${step}` : `${path}.${step}`;
}

/** validate - every violation of `schema` by `value` (empty: valid). */
export function validate(root: Schema, value: unknown): SchemaError[] {
  const errors: SchemaError[] = [];
  check(root, value, '', errors);
  return errors;

  function resolve(ref: string): Schema {
    const match = /^#\/\$defs\/(.+)$/.exec(ref);
    const target = match === null ? undefined : (root.$defs as Record<string, Schema> | undefined)?.[match[1] as string];
    if (target === undefined) throw new Error(`unsupported or unknown $ref ${ref}`);
    return target;
  }

  function check(schema: Schema, value: unknown, path: string, out: SchemaError[]): void {
    const fail = (keyword: string, message: string, at = path): void => {
      out.push({ path: at, keyword, message });
    };
    for (const key of Object.keys(schema)) if (!KNOWN.has(key)) throw new Error(`schema keyword '${key}' is not supported by this validator`);
    if (typeof schema.$ref === 'string') check(resolve(schema.$ref), value, path, out);
    const type = schema.type as string | undefined;
    const actual = typeOf(value);
    if (type !== undefined && !(actual === type || (type === 'number' && actual === 'integer'))) {
      fail('type', `is ${actual}, not ${type}`);
      return;
    }
    if (schema.enum !== undefined && !(schema.enum as unknown[]).some((option) => option === value)) fail('enum', `${JSON.stringify(value)} is not one of the allowed values`);
    if (Object.hasOwn(schema, 'const') && schema.const !== value) fail('const', `must be ${JSON.stringify(schema.const)}`);
    if (typeof value === 'string' && typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) fail('pattern', `${JSON.stringify(value)} does not match ${schema.pattern}`);
    if (typeof value === 'number') {
      if (typeof schema.minimum === 'number' && value < schema.minimum) fail('minimum', `${value} < ${schema.minimum}`);
      if (typeof schema.maximum === 'number' && value > schema.maximum) fail('maximum', `${value} > ${schema.maximum}`);
    }
    if (Array.isArray(value)) {
      if (typeof schema.minItems === 'number' && value.length < schema.minItems) fail('minItems', `${value.length} items; at least ${schema.minItems}`);
      if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) fail('maxItems', `${value.length} items; at most ${schema.maxItems}`);
      if (isObject(schema.items)) value.forEach((item, index) => check(schema.items as Schema, item, join(path, index), out));
    }
    if (isObject(value)) {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      for (const key of (schema.required ?? []) as string[]) if (!Object.hasOwn(value, key)) fail('required', `missing '${key}'`, join(path, key));
      for (const [key, item] of Object.entries(value)) {
        if (isObject(schema.propertyNames)) check(schema.propertyNames, key, join(path, key), out);
        if (Object.hasOwn(properties, key)) check(properties[key] as Schema, item, join(path, key), out);
        else if (schema.additionalProperties === false) fail('additionalProperties', `unknown key '${key}'`, join(path, key));
        else if (isObject(schema.additionalProperties)) check(schema.additionalProperties, item, join(path, key), out);
      }
    }
    const passes = (sub: Schema): boolean => {
      const scratch: SchemaError[] = [];
      check(sub, value, path, scratch);
      return scratch.length === 0;
    };
    if (Array.isArray(schema.allOf)) for (const sub of schema.allOf as Schema[]) check(sub, value, path, out);
    if (Array.isArray(schema.anyOf) && !(schema.anyOf as Schema[]).some(passes)) fail('anyOf', 'matches none of the alternatives');
    if (Array.isArray(schema.oneOf)) {
      const matching = (schema.oneOf as Schema[]).filter(passes).length;
      if (matching !== 1) {
        // Report the closest alternative's own errors: they say what is wrong inside.
        const attempts = (schema.oneOf as Schema[]).map((sub) => {
          const scratch: SchemaError[] = [];
          check(sub, value, path, scratch);
          return scratch;
        });
        const closest = attempts.filter((attempt) => attempt.length > 0 && attempt.every((error) => error.keyword !== 'type')).sort((a, b) => a.length - b.length)[0];
        if (matching === 0 && closest !== undefined) out.push(...closest);
        else fail('oneOf', matching === 0 ? 'matches none of the alternatives' : `matches ${matching} alternatives, not one`);
      }
    }
    if (isObject(schema.not) && passes(schema.not)) fail('not', 'matches a schema it must not');
    if (isObject(schema.if) && isObject(schema.then) && passes(schema.if)) check(schema.then, value, path, out);
  }
}
