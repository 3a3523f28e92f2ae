/**
 * Lays the report model out with Eta templates (report/templates/): the HTML
 * page (one self-contained file, inline CSS and SVG, nothing fetched), the
 * same content as markdown, and the two SVG figures the markdown links to.
 * Eta escapes every interpolated value (HTML entities for the page and the
 * SVG, table pipes for the markdown), so no production name can break a page.
 */
import { join } from 'node:path';
import { Eta } from 'eta';
import { chartOf } from './chart';
import type { CheckView, ReportModel } from './model';
import { topologyOf } from './topology';
import type { StagingPlan } from '../plan/types';

const TEMPLATES = join(__dirname, 'templates');

const html = new Eta({ views: TEMPLATES, autoEscape: true, cache: true });
/** Markdown: a value must not end its table cell or its line (GitHub's tables take `\|` even in code). */
const cell = (value: unknown): string => String(value).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
// Markdown keeps every newline but those after a control tag marked `-%>`.
const markdown = new Eta({ views: TEMPLATES, autoEscape: true, escapeFunction: cell, autoTrim: false, cache: true });

/** Inline code whatever backticks the text holds. */
const code = (text: string): string => {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${longest ? ' ' : ''}${text}${longest ? ' ' : ''}${fence}`;
};

export const duration = (s: number): string => {
  const total = Math.round(s);
  const [h, m, sec] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(sec).padStart(2, '0')}s`;
};

const helpers = { duration, money: (n: number) => n.toFixed(2), cell, code };

/** Each check of each phase, one cell per rehearsal: the checks side by side. */
function checkRows(model: ReportModel): { phase: string; name: string; cells: CheckView[] }[] {
  const rows = new Map<string, { phase: string; name: string; cells: CheckView[] }>();
  model.rehearsals.forEach((r, i) => {
    for (const c of r.checks) {
      const key = `${c.phase}\u0000${c.name}`;
      const row = rows.get(key) ?? { phase: c.phase, name: c.name, cells: [] };
      row.cells[i] = c;
      rows.set(key, row);
    }
  });
  const absent = (phase: string, name: string): CheckView => ({
    phase,
    name,
    step: '',
    status: 'absent',
    summary: 'not in this runbook',
    details: [],
  });
  return [...rows.values()].map((row) => ({
    ...row,
    cells: model.rehearsals.map((_, i) => row.cells[i] ?? absent(row.phase, row.name)),
  }));
}

/** File name -> text (a type, not an interface, so that it is a record of strings). */
export type RenderedReport = {
  readonly 'index.html': string;
  readonly 'report.md': string;
  readonly 'topology.svg': string;
  readonly 'timings.svg'?: string;
};

export function renderReport(model: ReportModel, plan: StagingPlan): RenderedReport {
  const topology = html.render('topology.svg.eta', topologyOf(plan));
  const timings = model.chart.length > 0 ? html.render('timings.svg.eta', chartOf(model.chart)) : undefined;
  const data = { m: model, f: helpers, checkRows: checkRows(model), svg: { topology, timings } };
  return {
    'index.html': html.render('page.html.eta', data),
    'report.md': markdown.render('report.md.eta', data),
    'topology.svg': `<?xml version="1.0" encoding="UTF-8"?>\n${topology}`,
    ...(timings ? { 'timings.svg': `<?xml version="1.0" encoding="UTF-8"?>\n${timings}` } : {}),
  };
}
