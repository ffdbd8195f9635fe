/**
 * Structured results as CSV (task/output/csv.ts): parsing the agent's CSV, rows from it, and the
 * "Columns" parameter.
 */
import { csvToRows, parseColumns, parseCsv } from '../../../../nodes/WebRun/task/output/csv';

describe('parseCsv', () => {
	test.each<[string, string, string[][]]>([
		[
			'simple rows',
			'a,b\n1,2',
			[
				['a', 'b'],
				['1', '2'],
			],
		],
		[
			'trailing newline ignored',
			'a,b\n1,2\n',
			[
				['a', 'b'],
				['1', '2'],
			],
		],
		[
			'CRLF',
			'a,b\r\n1,2\r\n',
			[
				['a', 'b'],
				['1', '2'],
			],
		],
		['lone CR', 'a\r1', [['a'], ['1']]],
		[
			'BOM stripped',
			'\uFEFFa,b\n1,2',
			[
				['a', 'b'],
				['1', '2'],
			],
		],
		[
			'quoted comma',
			'name,price\nBitcoin,"$95,360.97"',
			[
				['name', 'price'],
				['Bitcoin', '$95,360.97'],
			],
		],
		['doubled quotes', '"say ""hi""",x', [['say "hi"', 'x']]],
		[
			'newline inside quotes',
			'"line 1\nline 2",x\ny,z',
			[
				['line 1\nline 2', 'x'],
				['y', 'z'],
			],
		],
		['CRLF inside quotes kept', '"a\r\nb"', [['a\r\nb']]],
		['empty fields', ',a,,\n', [['', 'a', '', '']]],
		['empty quoted field', '"",x', [['', 'x']]],
		['a line holding only "" is a record', 'a\n""\nb', [['a'], [''], ['b']]],
		['empty lines skipped', 'a\n\n\r\n1\n\n', [['a'], ['1']]],
		['empty text', '', []],
		['only a BOM', '\uFEFF', []],
		['spaces kept', ' a , b ', [[' a ', ' b ']]],
		['a quote inside an unquoted field is text', '5" screen,x', [['5" screen', 'x']]],
		['text after a closing quote joins the field', '"a"b,c', [['ab', 'c']]],
		['a quoted field that is last', 'x,"y"', [['x', 'y']]],
		[
			'short and long rows are kept as they are',
			'a,b\n1\n1,2,3',
			[['a', 'b'], ['1'], ['1', '2', '3']],
		],
	])('%s', (_name, text, expected) => {
		expect(parseCsv(text)).toEqual(expected);
	});

	test.each<[string, string, string]>([
		['on the first line', '"abc', 'CSV line 1: a quoted field starts here but is never closed'],
		[
			'after other lines',
			'a,b\n1,2\n3,"x,y\nz',
			'CSV line 3: a quoted field starts here but is never closed',
		],
		[
			'after a closed multi-line field',
			'"a\nb",c\r\nd,"e""',
			'CSV line 3: a quoted field starts here but is never closed',
		],
	])('an unterminated quote %s throws with the line', (_name, text, message) => {
		expect(() => parseCsv(text)).toThrow(new Error(message));
	});
});

describe('csvToRows', () => {
	test.each<[string, string, Array<Record<string, string>>]>([
		[
			'rows keyed by the header, numbers stay strings',
			'name,price\nBitcoin,95360.97\nEther,"3,400"\n',
			[
				{ name: 'Bitcoin', price: '95360.97' },
				{ name: 'Ether', price: '3,400' },
			],
		],
		['only a header', 'name,price\n', []],
		['empty text', '', []],
		['short rows get empty cells', 'a,b,c\n1\n', [{ a: '1', b: '', c: '' }]],
		[
			'extra cells go under column_N (the §5.9 example with an unquoted comma)',
			'name,price\nBitcoin,$95,360.97',
			[{ name: 'Bitcoin', price: '$95', column_3: '360.97' }],
		],
		['empty lines skipped', 'a\n\n1\n\n2', [{ a: '1' }, { a: '2' }]],
		['header names trimmed', ' a , b \n1,2', [{ a: '1', b: '2' }]],
		['empty header names become column_N', 'a,,c\n1,2,3', [{ a: '1', column_2: '2', c: '3' }]],
		['a fenced block', '```csv\na,b\n1,2\n```', [{ a: '1', b: '2' }]],
		['a plain fence with CRLF', '```\r\na\r\n1\r\n```\r\n', [{ a: '1' }]],
		['a __proto__ column is an ordinary key', '__proto__\nx', [JSON.parse('{"__proto__":"x"}')]],
	])('%s', (_name, text, expected) => {
		const rows = csvToRows(text);
		expect(rows).toEqual(expected);
		for (const row of rows) expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
	});

	test.each<[string, string, string]>([
		[
			'a duplicate header',
			'name,price,name\n1,2,3',
			'CSV header: the column name "name" is used twice (columns 1 and 3)',
		],
		[
			'a duplicate after trimming',
			'a, a\n1,2',
			'CSV header: the column name "a" is used twice (columns 1 and 2)',
		],
		[
			'an unterminated quote',
			'a\n"x',
			'CSV line 2: a quoted field starts here but is never closed',
		],
	])('throws for %s', (_name, text, message) => {
		expect(() => csvToRows(text)).toThrow(new Error(message));
	});
});

describe('parseColumns', () => {
	test.each<[string, string, string[]]>([
		['comma-separated', 'name,price', ['name', 'price']],
		['trimmed', ' name , price ', ['name', 'price']],
		['empty entries dropped', 'name,,price,', ['name', 'price']],
		['one column', 'name', ['name']],
		['case-sensitive', 'Name,name', ['Name', 'name']],
		['spaces inside a name kept', 'first name, last name', ['first name', 'last name']],
	])('%s', (_name, input, expected) => {
		expect(parseColumns(input)).toEqual(expected);
	});

	test.each<[string, string, string]>([
		[
			'a duplicate',
			'name,price,name',
			'Columns: "name" is listed twice; each column name must be unique',
		],
		[
			'a duplicate after trimming',
			'a, a',
			'Columns: "a" is listed twice; each column name must be unique',
		],
		['nothing', '', 'Columns: enter at least one column name'],
		['only commas and spaces', ' , ,', 'Columns: enter at least one column name'],
	])('throws for %s', (_name, input, message) => {
		expect(() => parseColumns(input)).toThrow(new Error(message));
	});
});
