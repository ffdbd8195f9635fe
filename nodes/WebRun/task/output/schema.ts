/** A JSON Schema type name the node checks. `integer` means a whole number. */
export type JsonType = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';

/**
 * The JSON Schema subset the node supports. A schema without `type` accepts any value.
 * `additionalProperties` is passed on to WebRun but not checked here (extra keys are allowed);
 * `description` and the other annotations are ignored.
 */
export interface JsonSchema {
	type?: JsonType | JsonType[];
	properties?: Record<string, JsonSchema>;
	required?: string[];
	items?: JsonSchema;
	enum?: unknown[];
	additionalProperties?: boolean | JsonSchema;
	description?: string;
}

const TYPES: readonly string[] = [
	'object',
	'array',
	'string',
	'number',
	'integer',
	'boolean',
	'null',
];
const CHECKED = ['type', 'properties', 'required', 'items', 'enum', 'additionalProperties'];
const IGNORED = ['description', 'title', 'format', 'default', 'examples', '$schema', '$id'];

function has(object: Record<string, unknown>, key: string): boolean {
	return Object.prototype.hasOwnProperty.call(object, key);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeOf(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'array';
	return typeof value;
}

function keyPath(path: string, key: string): string {
	const part = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `[${JSON.stringify(key)}]`;
	if (part.startsWith('[')) return path + part;
	return path ? `${path}.${part}` : part;
}

function show(value: unknown): string {
	const text = JSON.stringify(value);
	return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/**
 * A schema built from an example value: every object key is required, every number is `number`
 * (3 and 3.5 both pass), an array is typed by its first element (an empty array accepts any
 * items), and a `null` accepts any value (the example only shows that the field may be empty).
 */
export function schemaFromExample(example: unknown): JsonSchema {
	if (Array.isArray(example)) {
		return { type: 'array', items: example.length ? schemaFromExample(example[0]) : {} };
	}
	if (isPlainObject(example)) {
		const entries = Object.entries(example);
		const properties = Object.fromEntries(entries.map(([k, v]) => [k, schemaFromExample(v)]));
		return { type: 'object', properties, required: Object.keys(example) };
	}
	if (typeof example === 'string') return { type: 'string' };
	if (typeof example === 'number') return { type: 'number' };
	if (typeof example === 'boolean') return { type: 'boolean' };
	return {};
}

function checkType(type: unknown, path: string): string | undefined {
	const names = Array.isArray(type) ? type : [type];
	if (!names.length) return `${path}: expected at least one type name`;
	for (const [i, name] of names.entries()) {
		const at = Array.isArray(type) ? `${path}[${i}]` : path;
		if (typeof name !== 'string') {
			return `${at}: expected a type name (string), got ${typeOf(name)}`;
		}
		if (!TYPES.includes(name)) return `${at}: ${JSON.stringify(name)} is not a JSON Schema type`;
		if (names.indexOf(name) !== i) return `${at}: ${JSON.stringify(name)} is listed twice`;
	}
	return undefined;
}

function checkNode(node: unknown, path: string): string | undefined {
	if (!isPlainObject(node)) return `${path}: expected a schema (JSON object), got ${typeOf(node)}`;
	for (const key of Object.keys(node)) {
		if (!CHECKED.includes(key) && !IGNORED.includes(key)) {
			return `${keyPath(path, key)}: "${key}" is not supported (supported: ${CHECKED.join(', ')})`;
		}
	}
	const { type, properties, required, items, additionalProperties } = node;
	if (type !== undefined) {
		const problem = checkType(type, `${path}.type`);
		if (problem) return problem;
	}
	if (properties !== undefined) {
		if (!isPlainObject(properties)) {
			return `${path}.properties: expected an object of schemas, got ${typeOf(properties)}`;
		}
		for (const [key, value] of Object.entries(properties)) {
			const problem = checkNode(value, keyPath(`${path}.properties`, key));
			if (problem) return problem;
		}
	}
	if (required !== undefined) {
		if (!Array.isArray(required)) {
			return `${path}.required: expected a list of property names, got ${typeOf(required)}`;
		}
		for (const [i, name] of required.entries()) {
			if (typeof name !== 'string') {
				return `${path}.required[${i}]: expected a property name (string), got ${typeOf(name)}`;
			}
			if (required.indexOf(name) !== i) {
				return `${path}.required[${i}]: ${JSON.stringify(name)} is listed twice`;
			}
		}
	}
	if (items !== undefined) {
		if (Array.isArray(items)) {
			return `${path}.items: a list of schemas is not supported, give one schema for all items`;
		}
		const problem = checkNode(items, `${path}.items`);
		if (problem) return problem;
	}
	if (node.enum !== undefined && (!Array.isArray(node.enum) || !node.enum.length)) {
		return `${path}.enum: expected a non-empty list of allowed values`;
	}
	if (additionalProperties !== undefined && typeof additionalProperties !== 'boolean') {
		return checkNode(additionalProperties, `${path}.additionalProperties`);
	}
	return undefined;
}

/**
 * The first problem with a user-supplied schema, as a message that starts with its path under
 * `name`, or undefined when the node supports it. The top level must be `type` "object" or
 * "array", so the agent's answer is a JSON document; unknown keywords are refused rather than
 * silently not checked.
 */
export function checkSchema(schema: unknown, name = 'outputSchema'): string | undefined {
	if (!isPlainObject(schema)) {
		return `${name}: expected a JSON Schema object, got ${typeOf(schema)}`;
	}
	if (schema.type !== 'object' && schema.type !== 'array') {
		const got = schema.type === undefined ? 'no type' : show(schema.type);
		return `${name}.type: the top level must be "object" or "array", got ${got}`;
	}
	return checkNode(schema, name);
}

function matchesType(value: unknown, type: JsonType): boolean {
	if (type === 'integer') return Number.isInteger(value);
	return typeOf(value) === type;
}

function sameJson(a: unknown, b: unknown): boolean {
	if (a === b) return true;
	if (Array.isArray(a) && Array.isArray(b)) {
		return a.length === b.length && a.every((item, i) => sameJson(item, b[i]));
	}
	if (!isPlainObject(a) || !isPlainObject(b)) return false;
	const keys = Object.keys(a);
	return (
		keys.length === Object.keys(b).length &&
		keys.every((key) => has(b, key) && sameJson(a[key], b[key]))
	);
}

function check(value: unknown, schema: JsonSchema, path: string): string | undefined {
	const at = path || '(root)';
	if (schema.type !== undefined) {
		const types = Array.isArray(schema.type) ? schema.type : [schema.type];
		if (!types.some((type) => matchesType(value, type))) {
			return `${at}: expected ${types.join(' or ')}, got ${typeOf(value)}`;
		}
	}
	if (schema.enum && !schema.enum.some((allowed) => sameJson(allowed, value))) {
		return `${at}: expected one of ${schema.enum.map(show).join(', ')}, got ${show(value)}`;
	}
	if (isPlainObject(value)) {
		for (const name of schema.required ?? []) {
			if (!has(value, name)) return `${at}: missing required property ${JSON.stringify(name)}`;
		}
		for (const [key, sub] of Object.entries(schema.properties ?? {})) {
			if (!has(value, key)) continue;
			const problem = check(value[key], sub, keyPath(path, key));
			if (problem) return problem;
		}
	}
	if (Array.isArray(value) && schema.items) {
		for (const [i, item] of value.entries()) {
			const problem = check(item, schema.items, `${path}[${i}]`);
			if (problem) return problem;
		}
	}
	return undefined;
}

/**
 * The first place where `value` does not match `schema`, e.g.
 * `products[0].price: expected number, got string` (the top level is `(root)`), or undefined.
 * Checks types, `enum`, `required` (before the properties), properties and array items, in order.
 */
export function validate(value: unknown, schema: JsonSchema): string | undefined {
	return check(value, schema, '');
}
