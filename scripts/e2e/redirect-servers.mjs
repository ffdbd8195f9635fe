// Two loopback servers for the e2e "one way out" checks (issue 18):
//  - "redirect" answers every request with a 302 to the same path on "foreign" (a server in front
//    of WebRun that redirects elsewhere, or a hijacked Base URL);
//  - "foreign" (another origin) answers 200 with plausible WebRun JSON to anything and logs each
//    request with whether it carried an Authorization header; GET /__log returns the log.
// Prints {"redirect": url, "foreign": url} on the first line, runs until SIGTERM.
import http from 'node:http';

const log = [];

function listen(server) {
	return new Promise((resolve) => {
		server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`));
	});
}

const foreign = http.createServer((req, res) => {
	if (req.url === '/__log') {
		res.writeHead(200, { 'Content-Type': 'application/json' });
		res.end(JSON.stringify(log));
		return;
	}
	log.push({
		method: req.method,
		url: req.url,
		hadAuthorization: req.headers.authorization !== undefined,
	});
	res.writeHead(200, { 'Content-Type': 'application/json' });
	res.end(
		JSON.stringify({
			data: [{ id: 'foreign-model' }],
			environments: [{ _id: 'env-foreign', name: 'Foreign environment', status: 'ready' }],
		}),
	);
});
const foreignUrl = await listen(foreign);

const redirect = http.createServer((req, res) => {
	res.writeHead(302, { Location: `${foreignUrl}${req.url}`, 'Content-Length': '0' });
	res.end();
});
const redirectUrl = await listen(redirect);

process.stdout.write(`${JSON.stringify({ redirect: redirectUrl, foreign: foreignUrl })}\n`);
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
