import { describe, expect, it } from 'vitest';
import { isSalesforceId, soqlContains, soqlList, soqlString } from './soql.js';

describe('SOQL literals', () => {
  it('escapes quotes, backslashes and line breaks', () => {
    expect(soqlString("O'Brien")).toBe("'O\\'Brien'");
    expect(soqlString('a\\b')).toBe("'a\\\\b'");
    expect(soqlString("x' OR Name != '")).toBe("'x\\' OR Name != \\''");
    expect(soqlString('line\nbreak')).toBe("'line\\nbreak'");
  });

  it('builds IN lists and LIKE patterns', () => {
    expect(soqlList(['+5511987654321', '(11) 98765-4321'])).toBe("('+5511987654321', '(11) 98765-4321')");
    expect(soqlContains('50%_off')).toBe("'%50\\%\\_off%'");
  });

  it('recognises Salesforce ids', () => {
    expect(isSalesforceId('0035g00000AbCdEAAV')).toBe(true);
    expect(isSalesforceId('0035g00000AbCdE')).toBe(true);
    expect(isSalesforceId("003' OR Id != '")).toBe(false);
  });
});
