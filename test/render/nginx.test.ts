import { describe, expect, it } from 'vitest';
import { blank, block, comment, directive, nginxArg, renderNginx } from '../../lib/render/nginx';

describe('renderNginx', () => {
  it('ends directives with semicolons', () => {
    expect(renderNginx([directive('worker_processes', 'auto')])).toBe('worker_processes auto;\n');
  });

  it('indents block children by four spaces', () => {
    expect(renderNginx([block('events', [], [directive('worker_connections', 1024)])])).toBe('events {\n    worker_connections 1024;\n}\n');
  });

  it('prints block arguments before the brace', () => {
    expect(renderNginx([block('location', ['^~', '/.well-known/acme-challenge/'], [directive('root', '/var/www/acme')])])).toBe(
      'location ^~ /.well-known/acme-challenge/ {\n    root /var/www/acme;\n}\n',
    );
  });

  it('drops undefined and false arguments and children', () => {
    expect(renderNginx([block('server', [], [directive('listen', 443, 'ssl', false, undefined), false])])).toBe('server {\n    listen 443 ssl;\n}\n');
  });

  it('prints comments and blank lines', () => {
    expect(renderNginx([comment('why'), blank, directive('a')])).toBe('# why\n\na;\n');
  });
});

describe('nginxArg', () => {
  it('leaves plain words and variables unquoted', () => {
    expect(nginxArg('$request_id')).toBe('$request_id');
  });

  it('single-quotes arguments with spaces or double quotes', () => {
    expect(nginxArg('max-age=31536000; includeSubDomains')).toBe("'max-age=31536000; includeSubDomains'");
    expect(nginxArg('{"a":"$b"}')).toBe(`'{"a":"$b"}'`);
  });

  it('double-quotes arguments that contain a single quote, escaping double quotes', () => {
    expect(nginxArg(`frame-ancestors 'none'`)).toBe(`"frame-ancestors 'none'"`);
  });

  it('quotes the empty string', () => {
    expect(nginxArg('')).toBe("''");
  });
});
