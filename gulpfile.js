const path = require('path');
const { task, src, dest } = require('gulp');

// Copies the SVG icons next to the compiled code, keeping their folder layout
// (icons/webrun.svg -> dist/icons/webrun.svg).
task('build:icons', () =>
	src(['icons/**/*.{png,svg}', 'nodes/**/*.{png,svg}', 'credentials/**/*.{png,svg}'], {
		base: '.',
		encoding: false,
	}).pipe(dest(path.resolve('dist'))),
);
