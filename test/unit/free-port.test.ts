import fs from 'node:fs';
import net from 'node:net';

import { freePort } from '../../lab/helpers/harness/processes';

// The harness gives n8n a port picked here; one from the ephemeral range can be taken by any
// outgoing connection before n8n binds it (seen: "n8n's port … is already in use").
describe('freePort', () => {
	const [low] = fs.existsSync('/proc/sys/net/ipv4/ip_local_port_range')
		? fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number)
		: [32_768];

	it('picks ports below the ephemeral range that can be listened on', async () => {
		const ports = await Promise.all(Array.from({ length: 20 }, async () => await freePort()));
		for (const port of ports) expect(port).toBeLessThan(low);
		const server = net.createServer();
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(ports[0], '127.0.0.1', () => resolve());
		});
		await new Promise((resolve) => server.close(resolve));
	});

	it('never hands out a port that is being listened on', async () => {
		const taken = net.createServer();
		const port = await freePort();
		await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', () => resolve()));
		try {
			// the only candidate is taken: it falls back to a port the kernel picks
			expect(await freePort({ from: port, to: port + 1 })).not.toBe(port);
			// two candidates, one taken
			const next = await freePort({ from: port, to: port + 2 });
			expect(next === port + 1 || next >= low).toBe(true);
		} finally {
			await new Promise((resolve) => taken.close(resolve));
		}
	});
});
