import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { ECALLS, OCALLS } from '@sealbridge/enclave-api';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DOCS_DIR = path.join(ROOT, 'docs');

/** Build output, dependencies, git's own files and the worker's runtime data are not the repository's text. */
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.git', '.sealbridge-data']);

/** The section sign, written as an escape so that this file cites nothing itself. */
const SECTION = '\u00a7';

/**
 * References to the private reference notes that a clone does not have. Assembled from parts so that this spec
 * does not find itself.
 */
const FORBIDDEN = [['shared', 'spec'].join('/'), ['..', 'shared'].join('/')];

/**
 * One scan of a line finds: a docs file named (`docs/<file>.md`, also inside a relative link); an external source
 * whose own section numbers are cited (an RFC); or a citation, the section sign with `N(.M)*`, optionally a range
 * up to `N.M` (with or without a second sign), or `Appendix <letter>`. (This file writes no citation itself.)
 */
const TOKEN = new RegExp(
  [
    '(?<doc>docs/[\\w-]+\\.md)',
    '(?<external>\\bRFC\\s?\\d+)',
    `${SECTION}\\s?(?<section>\\d+(?:\\.\\d+)*)(?:\\s?[–-]\\s?${SECTION}?(?<rangeEnd>\\d+(?:\\.\\d+)*))?`,
    '\\bAppendix (?<appendix>[A-Z])\\b',
  ].join('|'),
  'g',
);

/** A file that cites one document throughout says so once: "<section sign> numbers in this file refer to docs/<file>.md". */
const FILE_DEFAULT = new RegExp(`${SECTION} numbers\\b.*?\\brefer to\\b\\W*(docs/[\\w-]+\\.md)`);

interface Citation {
  where: string;
  /** `docs/<file>.md`, `external`, or undefined when nothing names the source. */
  source: string | undefined;
  refs: string[];
}

function repositoryFiles(dir = ROOT): string[] {
  const files: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) files.push(...repositoryFiles(path.join(dir, entry.name)));
    } else if (entry.isFile()) {
      files.push(path.join(dir, entry.name));
    }
  }
  return files;
}

/** Text files only: a NUL byte marks a binary one. */
function textFiles(): Array<{ rel: string; lines: string[] }> {
  const out: Array<{ rel: string; lines: string[] }> = [];
  for (const file of repositoryFiles()) {
    const bytes = fs.readFileSync(file);
    if (bytes.includes(0)) continue;
    out.push({ rel: path.relative(ROOT, file).split(path.sep).join('/'), lines: bytes.toString('utf8').split('\n') });
  }
  return out;
}

/** Every heading number (`## 2.4 …` gives `2.4`) and appendix heading (gives `Appendix <letter>`) of a docs file. */
function headingsOf(lines: string[]): Set<string> {
  const found = new Set<string>();
  for (const line of lines) {
    const m = /^#{1,6}\s+(?:(\d+(?:\.\d+)*)\.?\s|(Appendix [A-Z])\b)/.exec(line);
    if (m) found.add(m[1] ?? m[2]!);
  }
  return found;
}

function citationsOf(rel: string, lines: string[]): Citation[] {
  const isDoc = /^docs\/[\w-]+\.md$/.test(rel);
  const fileDefault = isDoc ? rel : lines.map((line) => FILE_DEFAULT.exec(line)?.[1]).find((doc) => doc !== undefined);
  const citations: Citation[] = [];
  lines.forEach((line, i) => {
    const sources: Array<{ at: number; source: string }> = [];
    const cited: Array<{ at: number; refs: string[] }> = [];
    for (const m of line.matchAll(TOKEN)) {
      const g = m.groups!;
      const at = m.index ?? 0;
      if (g.doc) sources.push({ at, source: g.doc });
      else if (g.external) sources.push({ at, source: 'external' });
      else if (g.appendix) cited.push({ at, refs: [`Appendix ${g.appendix}`] });
      else cited.push({ at, refs: g.rangeEnd ? [g.section!, g.rangeEnd] : [g.section!] });
    }
    for (const { at, refs } of cited) {
      // The source named last before the citation on its line, else the file's own: name the document first,
      // then the section.
      const before = sources.filter((s) => s.at < at).at(-1);
      citations.push({ where: `${rel}:${i + 1}`, source: before?.source ?? fileDefault, refs });
    }
  });
  return citations;
}

describe('docs', () => {
  const files = textFiles();
  const docs = new Map(
    fs.readdirSync(DOCS_DIR)
      .filter((name) => name.endsWith('.md'))
      .map((name) => [`docs/${name}`, headingsOf(fs.readFileSync(path.join(DOCS_DIR, name), 'utf8').split('\n'))]),
  );
  const citations = files.flatMap(({ rel, lines }) => citationsOf(rel, lines));

  it('nothing points at the private reference notes outside the repository', () => {
    const offenders: string[] = [];
    for (const { rel, lines } of files) {
      lines.forEach((line, i) => {
        if (FORBIDDEN.some((needle) => line.includes(needle))) offenders.push(`${rel}:${i + 1}: ${line.trim()}`);
      });
    }
    assert.deepEqual(offenders, [], `references to notes outside the repository (cite docs/ instead):\n${offenders.join('\n')}`);
  });

  it('every section a docs file is cited for exists in that file', () => {
    assert.ok(docs.size >= 5, `expected the protocol notes in docs/, found ${[...docs.keys()].join(', ')}`);
    const broken: string[] = [];
    for (const { where, source, refs } of citations) {
      if (source === undefined || source === 'external') continue;
      const headings = docs.get(source);
      if (!headings) {
        broken.push(`${where}: ${source} does not exist`);
        continue;
      }
      for (const ref of refs) if (!headings.has(ref)) broken.push(`${where}: ${source} has no section ${ref}`);
    }
    assert.deepEqual(broken, [], `citations that do not resolve:\n${broken.join('\n')}`);
  });

  it('every section citation names its document (on its line, or once per file)', () => {
    const orphans = citations
      .filter((c) => c.source === undefined)
      .map((c) => `${c.where}: ${c.refs.join('–')}`);
    assert.deepEqual(
      orphans,
      [],
      `citations that name no document (add docs/<file>.md to the line, or a "${SECTION} numbers in this file refer to docs/<file>.md" comment):\n${orphans.join('\n')}`,
    );
  });

  it('docs/enclave-boundary.md lists exactly the ECALLs and OCALLs of enclave-api', () => {
    const text = fs.readFileSync(path.join(DOCS_DIR, 'enclave-boundary.md'), 'utf8');
    const rows = text.split('\n').filter((line) => /^\| \d+ \| `/.test(line));
    const expected = [
      ...Object.entries(ECALLS).map(([name, c]) => `| ${c.id} | \`${name}\` | \`${c.arg.name}\` | \`${c.result.name}\` | ${c.doc} |`),
      ...Object.entries(OCALLS).map(([name, c]) => `| ${c.id} | \`${name}\` | \`${c.arg.name}\` | ${c.oneWay ? 'none (one-way)' : `\`${c.result.name}\``} | ${c.doc} |`),
    ];
    assert.deepEqual(rows, expected);
  });
});
