import { Port, Protocol } from '../../src/core/port';

describe('Protocol', () => {
  test('has the wire values TCP, UDP, SCTP', () => {
    expect(Object.values(Protocol)).toEqual(['TCP', 'UDP', 'SCTP']);
  });
});

describe('single ports', () => {
  test.each([
    ['tcp', Port.tcp, Protocol.TCP],
    ['udp', Port.udp, Protocol.UDP],
    ['sctp', Port.sctp, Protocol.SCTP],
  ] as const)('Port.%s keeps protocol and number', (_name, factory, protocol) => {
    for (const n of [1, 53, 443, 65535]) {
      const p = factory(n);
      expect(p.protocol).toBe(protocol);
      expect(p.portNumber).toBe(n);
      expect(p.endPortNumber).toBeUndefined();
      expect(p.name).toBeUndefined();
      expect(p.isAllPorts).toBe(false);
      expect(p.toString()).toBe(`${protocol}/${n}`);
    }
  });

  test.each([0, 65536, 70000, -1, 1.5, NaN, Infinity, -Infinity])('Port.tcp(%p) throws naming the value and 1 to 65535', (n) => {
    expect(() => Port.tcp(n)).toThrow(`Port.tcp(): port ${String(n)} is not a valid port; expected an integer from 1 to 65535`);
  });

  test('Port.udp and Port.sctp name their own factory', () => {
    expect(() => Port.udp(0)).toThrow(/^Port\.udp\(\): port 0 is not a valid port; expected an integer from 1 to 65535$/);
    expect(() => Port.sctp(65536)).toThrow(/^Port\.sctp\(\): port 65536 .*1 to 65535$/);
  });

  test('non-numbers are rejected and shown as passed', () => {
    expect(() => Port.tcp('80' as unknown as number)).toThrow('Port.tcp(): port "80" is not a valid port');
    expect(() => Port.tcp(undefined as unknown as number)).toThrow('Port.tcp(): port undefined is not a valid port');
    expect(() => Port.tcp(null as unknown as number)).toThrow('Port.tcp(): port null is not a valid port');
  });
});

describe('ranges', () => {
  test.each([
    ['tcpRange', Port.tcpRange, Protocol.TCP],
    ['udpRange', Port.udpRange, Protocol.UDP],
    ['sctpRange', Port.sctpRange, Protocol.SCTP],
  ] as const)('Port.%s keeps both ends', (_name, factory, protocol) => {
    const p = factory(32000, 32767);
    expect(p.protocol).toBe(protocol);
    expect(p.portNumber).toBe(32000);
    expect(p.endPortNumber).toBe(32767);
    expect(p.name).toBeUndefined();
    expect(p.isAllPorts).toBe(false);
    expect(p.toString()).toBe(`${protocol}/32000-32767`);
  });

  test('the full range 1-65535 is allowed', () => {
    expect(Port.tcpRange(1, 65535).toString()).toBe('TCP/1-65535');
  });

  test('from == to normalises to a single port (no endPort)', () => {
    const p = Port.tcpRange(8080, 8080);
    expect(p.portNumber).toBe(8080);
    expect(p.endPortNumber).toBeUndefined();
    expect(p.toString()).toBe('TCP/8080');
    expect(Port.udpRange(53, 53).toString()).toBe('UDP/53');
  });

  test('a reversed range throws, naming both ends and the fix', () => {
    expect(() => Port.tcpRange(9000, 8000)).toThrow('Port.tcpRange(): range 9000-8000 is reversed; expected from <= to, e.g. Port.tcpRange(8000, 9000)');
    expect(() => Port.udpRange(2, 1)).toThrow(/^Port\.udpRange\(\): range 2-1 is reversed.*Port\.udpRange\(1, 2\)$/);
    expect(() => Port.sctpRange(2, 1)).toThrow(/^Port\.sctpRange\(\): range 2-1 is reversed/);
  });

  test.each([0, 65536, 1.5, NaN, Infinity, -1])('an invalid from (%p) is named as "from"', (n) => {
    expect(() => Port.tcpRange(n, 100)).toThrow(`Port.tcpRange(): from ${String(n)} is not a valid port; expected an integer from 1 to 65535`);
  });

  test.each([0, 65536, 1.5, NaN, Infinity, -1])('an invalid to (%p) is named as "to"', (n) => {
    expect(() => Port.tcpRange(1, n)).toThrow(`Port.tcpRange(): to ${String(n)} is not a valid port; expected an integer from 1 to 65535`);
  });

  test('both ends checked before order', () => {
    expect(() => Port.udpRange(70000, 1)).toThrow(/from 70000 .*1 to 65535/);
  });
});

describe('named ports', () => {
  test('defaults to TCP', () => {
    const p = Port.named('metrics');
    expect(p.protocol).toBe(Protocol.TCP);
    expect(p.name).toBe('metrics');
    expect(p.portNumber).toBeUndefined();
    expect(p.endPortNumber).toBeUndefined();
    expect(p.isAllPorts).toBe(false);
    expect(p.toString()).toBe('TCP/metrics');
  });

  test('takes an explicit protocol', () => {
    expect(Port.named('dns', Protocol.UDP).toString()).toBe('UDP/dns');
    expect(Port.named('diameter', Protocol.SCTP).protocol).toBe(Protocol.SCTP);
    expect(Port.named('http', Protocol.TCP).protocol).toBe(Protocol.TCP);
  });

  test.each(['http', 'h2c', 'grpc-web', 'x'.repeat(15), '9p'])('accepts %j', (name) => {
    expect(Port.named(name).name).toBe(name);
  });

  test.each([
    ['', 'empty'],
    ['x'.repeat(16), '16 characters long \\(at most 15\\)'],
    ['HTTP', 'lowercase letters, digits and "-"'],
    ['my_port', 'lowercase letters, digits and "-"'],
    ['8080', 'at least one letter'],
    ['-http', 'must not start or end with "-"'],
    ['http-', 'must not start or end with "-"'],
    ['grpc--web', 'must not contain "--"'],
  ])('rejects %j: %s', (name, why) => {
    const quoted = JSON.stringify(name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(() => Port.named(name)).toThrow(new RegExp(`^Port\\.named\\(\\): name ${quoted} is not a valid port name: it [^;]*${why}; expected an IANA service name such as "http" or "metrics"$`));
  });

  test('rejects a non-string name', () => {
    expect(() => Port.named(8080 as unknown as string)).toThrow(/Port\.named\(\): name 8080 is not a valid port name/);
  });

  test('rejects an unknown protocol, listing the valid ones', () => {
    expect(() => Port.named('http', 'ICMP' as Protocol)).toThrow('Port.named(): protocol "ICMP" is not supported; expected one of TCP, UDP, SCTP');
    expect(() => Port.named('http', 'tcp' as Protocol)).toThrow(/protocol "tcp" is not supported; expected one of TCP, UDP, SCTP/);
  });
});

describe('all ports', () => {
  test.each([
    ['allTcp', Port.allTcp, Protocol.TCP],
    ['allUdp', Port.allUdp, Protocol.UDP],
    ['allSctp', Port.allSctp, Protocol.SCTP],
  ] as const)('Port.%s omits the port (never port 0)', (_name, factory, protocol) => {
    const p = factory();
    expect(p.protocol).toBe(protocol);
    expect(p.portNumber).toBeUndefined();
    expect(p.endPortNumber).toBeUndefined();
    expect(p.name).toBeUndefined();
    expect(p.isAllPorts).toBe(true);
    expect(p.toString()).toBe(`${protocol}/*`);
  });
});

describe('constants for common ports', () => {
  test.each([
    ['DNS_UDP', Port.DNS_UDP, 'UDP/53', Port.udp(53)],
    ['DNS_TCP', Port.DNS_TCP, 'TCP/53', Port.tcp(53)],
    ['HTTPS', Port.HTTPS, 'TCP/443', Port.tcp(443)],
  ] as const)('Port.%s is %s, the same port as its factory makes', (_name, port, text, made) => {
    expect(port.toString()).toBe(text);
    expect(port).toEqual(made);
  });
});
