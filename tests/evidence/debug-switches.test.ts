/**
 * The debug switches are live in the evidence runs, and the handler stays silent about secrets with them on:
 * FAUNA_DEBUG=1 makes a driver client built WITHOUT a logger print its `Authorization` header (so the switch works);
 * the handler's driver client, built with the explicit silent logger, prints nothing; the service's logger has no switch
 * that logs the event (POWERTOOLS_LOGGER_LOG_EVENT=true, which made its former logger print the email, stays set to show
 * it) and writes everything it has at LOG_LEVEL=DEBUG. The secrets audit then reads every log line.
 */
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Client, fql } from 'fauna';
import { startFaultInjector } from '../support/fault-injector.ts';
import { DEBUG_SWITCHES, grantedClaims, recordEmail, signInEvent, stageEnvironment, startService, stubSsmWithSecret } from './helpers/service.ts';
import { startEvidenceFauna } from '../helpers/local-fauna.ts';

const NOT_A_KEY = 'debug-switch-probe-not-a-real-key';

afterEach(() => {
  jest.restoreAllMocks();
});

describe('debug switches (FAUNA_DEBUG=1, POWERTOOLS_LOGGER_LOG_EVENT=true, LOG_LEVEL=DEBUG) in the evidence runs', () => {
  it('are set in this process', () => {
    expect(process.env.FAUNA_DEBUG).toBe(DEBUG_SWITCHES.FAUNA_DEBUG);
    expect(process.env.POWERTOOLS_LOGGER_LOG_EVENT).toBe(DEBUG_SWITCHES.POWERTOOLS_LOGGER_LOG_EVENT);
    expect(process.env.LOG_LEVEL).toBe(DEBUG_SWITCHES.LOG_LEVEL);
  });

  it('FAUNA_DEBUG=1 is live: a driver client without a logger prints the Authorization header (probe key, intercepted)', async () => {
    // Arrange
    const printed: string[] = [];
    for (const method of ['debug', 'log', 'info'] as const) {
      jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void printed.push(args.map(String).join(' ')));
    }
    const injector = await startFaultInjector({ kind: 'status', status: 401, code: 'unauthorized', message: 'probe' });
    const client = new Client({ endpoint: new URL(injector.url), secret: NOT_A_KEY, http2_session_idle_ms: 100 });

    // Act
    await client.query(fql`1`).catch(() => undefined);
    client.close();
    await injector.stop();

    // Assert
    expect(printed.some((line) => line.includes(`Bearer ${NOT_A_KEY}`))).toBe(true);
  });

  it('the handler, logging at DEBUG, prints neither the key nor the event with the switches on', async () => {
    // Arrange
    const printed: string[] = [];
    for (const method of ['debug', 'log', 'info', 'warn', 'error'] as const) {
      jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void printed.push(args.map(String).join(' ')));
    }
    const fauna = await startEvidenceFauna();
    const ssm = stubSsmWithSecret(fauna.triggerKey);
    const service = startService(stageEnvironment(fauna.url));
    recordEmail('Debug.Switches@Example.com');
    const event = signInEvent('0a1b2c3d-0000-4000-8000-0000deb00001', 'Debug.Switches@Example.com');

    // Act
    const response = await service.invoke(event);
    service.dispose();
    ssm.restore();
    await fauna.stop();

    // Assert
    expect(grantedClaims(response).secret).toBeDefined();
    expect(service.logger.level).toBe('DEBUG');
    expect(printed.filter((line) => line.includes(fauna.triggerKey) || line.includes('Bearer'))).toEqual([]);
    const handlerLines = service.logs.text;
    expect(handlerLines).not.toContain('Debug.Switches@Example.com');
    expect(handlerLines).not.toContain('debug.switches@example.com');
    expect(handlerLines).not.toContain(fauna.triggerKey);
  });
});
