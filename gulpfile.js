const fs = require('fs');
const path = require('path');
const { task, src, dest, series } = require('gulp');

// Copies the SVG icons next to the compiled code, keeping their folder layout
// (icons/webrun.svg -> dist/icons/webrun.svg).
task('build:icons', () =>
	src(['icons/**/*.{png,svg}', 'nodes/**/*.{png,svg}', 'credentials/**/*.{png,svg}'], {
		base: '.',
		encoding: false,
	}).pipe(dest(path.resolve('dist'))),
);

// tsc indents its output with four spaces; the published code is indented with tabs like the
// source (the same code, about 13 % smaller). Lines inside template literals are text, not code:
// they are found with TypeScript's parser and left exactly as they are.
task('build:indent', (done) => {
	const ts = require('typescript');
	const reindent = (text, file) => {
		const templates = [];
		const visit = (node) => {
			if (ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node)) {
				templates.push([node.getStart(), node.getEnd()]);
			}
			ts.forEachChild(node, visit);
		};
		visit(ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS));
		let offset = 0;
		return text
			.split('\n')
			.map((line) => {
				const inTemplate = templates.some(([from, to]) => offset > from && offset < to);
				offset += line.length + 1;
				if (inTemplate) return line;
				return line.replace(/^(?: {4})+/, (spaces) => '\t'.repeat(spaces.length / 4));
			})
			.join('\n');
	};
	const walk = (dir) =>
		fs.readdirSync(dir, { withFileTypes: true }).forEach((entry) => {
			const file = path.join(dir, entry.name);
			if (entry.isDirectory()) return walk(file);
			if (file.endsWith('.js'))
				fs.writeFileSync(file, reindent(fs.readFileSync(file, 'utf8'), file));
		});
	walk(path.resolve('dist'));
	done();
});

task('build:assets', series('build:icons', 'build:indent'));
