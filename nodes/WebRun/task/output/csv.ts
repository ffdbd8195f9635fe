/**
 * RFC 4180 CSV: fields separated by commas, records by CRLF, LF or CR; a quoted field may hold
 * commas, line breaks and doubled quotes (""). A leading BOM is dropped and lines with no
 * character at all (the trailing newline too) give no record. Lenient where agents slip: a quote
 * inside an unquoted field is kept as text, and text after a closing quote joins the field.
 * Throws when a quoted field is never closed, naming the line where it opened.
 */
export function parseCsv(text: string): string[][] {
	const records: string[][] = [];
	let record: string[] = [];
	let field = '';
	let started = false;
	let fieldStart = true;
	let line = 1;
	let i = text.startsWith('\uFEFF') ? 1 : 0;
	const endRecord = () => {
		if (started) records.push([...record, field]);
		record = [];
		field = '';
		started = false;
		fieldStart = true;
	};
	while (i < text.length) {
		const char = text[i];
		if (char === '"' && fieldStart) {
			const opened = line;
			let end = i + 1;
			for (;;) {
				end = text.indexOf('"', end);
				if (end === -1) {
					throw new Error(`CSV line ${opened}: a quoted field starts here but is never closed`);
				}
				if (text[end + 1] !== '"') break;
				end += 2;
			}
			const quoted = text.slice(i + 1, end);
			line += quoted.split(/\r\n|\r|\n/).length - 1;
			field = quoted.replace(/""/g, '"');
			started = true;
			fieldStart = false;
			i = end + 1;
		} else if (char === ',') {
			record.push(field);
			field = '';
			started = true;
			fieldStart = true;
			i++;
		} else if (char === '\n' || char === '\r') {
			endRecord();
			line++;
			i += char === '\r' && text[i + 1] === '\n' ? 2 : 1;
		} else {
			field += char;
			started = true;
			fieldStart = false;
			i++;
		}
	}
	endRecord();
	return records;
}

function stripFence(text: string): string {
	const fenced = /^\s*```[\w-]*[ \t]*\r?\n([\s\S]*?)\r?\n?```\s*$/.exec(text);
	return fenced ? fenced[1] : text;
}

/**
 * CSV text as row objects keyed by the header row; every value stays a string. Header names are
 * trimmed, an empty one becomes `column_N` (N counts from 1), and a name given twice throws. A
 * short row gets '' for its missing cells; cells beyond the header are kept under `column_N`,
 * so an unquoted comma in a value loses nothing. A ```csv fence around the whole text is dropped.
 */
export function csvToRows(text: string): Array<Record<string, string>> {
	const [header, ...records] = parseCsv(stripFence(text));
	if (!header) return [];
	const keys = header.map((name, i) => name.trim() || `column_${i + 1}`);
	for (const [i, key] of keys.entries()) {
		const first = keys.indexOf(key);
		if (first !== i) {
			throw new Error(
				`CSV header: the column name "${key}" is used twice (columns ${first + 1} and ${i + 1})`,
			);
		}
	}
	return records.map((cells) => {
		const extra = cells
			.slice(keys.length)
			.map((cell, i) => [`column_${keys.length + i + 1}`, cell]);
		return Object.fromEntries([...keys.map((key, i) => [key, cells[i] ?? '']), ...extra]);
	});
}

/**
 * The "Columns" parameter as a list: comma-separated, each name trimmed, empty entries dropped.
 * Throws when no name is left or when a name is given twice (names are case-sensitive).
 */
export function parseColumns(input: string): string[] {
	const columns = input
		.split(',')
		.map((name) => name.trim())
		.filter((name) => name !== '');
	if (!columns.length) throw new Error('Columns: enter at least one column name');
	for (const [i, name] of columns.entries()) {
		if (columns.indexOf(name) !== i) {
			throw new Error(`Columns: "${name}" is listed twice; each column name must be unique`);
		}
	}
	return columns;
}
