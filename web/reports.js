/**
 * Reports (supervisors and admins): tickets created and closed, mean first-response
 * and resolution times and customer ratings (count, mean stars) per day, department
 * and agent over a date range, in a dialog opened from the top bar. A bar chart
 * (inline SVG built with DOM calls) shows tickets created and closed per day, with a
 * line of the day's mean stars; a link downloads the same report as CSV. Department
 * and agent names are text (textContent, isolated), never markup.
 */

import { api } from './api.js';
import { element, isolated } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';
const CHART_HEIGHT = 120;

let hooks;
let dialog;
let form;
let fromInput;
let toInput;
let departmentSelect;
let agentSelect;
let chart;
let table;
let csvLink;
let openButton;

/** `reportHooks.onError(err)` reports failures. */
export function initReports(reportHooks) {
  hooks = reportHooks;
  dialog = document.getElementById('reports-dialog');
  form = document.getElementById('reports-form');
  fromInput = document.getElementById('reports-from');
  toInput = document.getElementById('reports-to');
  departmentSelect = document.getElementById('reports-department');
  agentSelect = document.getElementById('reports-agent');
  chart = document.getElementById('reports-chart');
  table = document.getElementById('reports-table');
  csvLink = document.getElementById('reports-csv');
  openButton = document.getElementById('reports-button');
  openButton.addEventListener('click', openReports);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    load();
  });
  document.getElementById('reports-done').addEventListener('click', () => dialog.close());
}

/** Shows the top bar's button to supervisors and admins (the route refuses agents). */
export function showReportsButton(seesReports) {
  openButton.hidden = !seesReports;
}

/** Opens the dialog on the last 30 days. */
export async function openReports() {
  if (!toInput.value) {
    const today = new Date();
    const start = new Date(today.getTime() - 29 * 86400000);
    toInput.value = localDate(today);
    fromInput.value = localDate(start);
  }
  if (!dialog.open) dialog.showModal();
  await loadDepartments();
  await load();
}

function localDate(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The browser's current UTC offset as +HH:MM. */
function offset() {
  const minutes = -new Date().getTimezoneOffset();
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  const pad = (n) => String(n).padStart(2, '0');
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

async function loadDepartments() {
  if (departmentSelect.options.length > 1) return;
  try {
    const departments = await api.get('/api/departments');
    for (const department of departments || []) {
      const option = element('option', '', department.name);
      option.value = String(department.id);
      departmentSelect.append(option);
    }
  } catch (err) {
    hooks.onError(err);
  }
}

function query() {
  const params = new URLSearchParams({ from: fromInput.value, to: toInput.value, tz: offset() });
  if (departmentSelect.value) params.set('department', departmentSelect.value);
  if (agentSelect.value) params.set('agent', agentSelect.value);
  return params;
}

async function load() {
  const params = query();
  try {
    const report = await api.get(`/api/reports?${params}`);
    params.set('format', 'csv');
    csvLink.href = `/api/reports?${params}`;
    showAgents(report.agents);
    drawChart(report.days);
    drawTable(report);
  } catch (err) {
    hooks.onError(err);
  }
}

/** Keeps the agent filter's choices: the agents of the reports seen so far. */
function showAgents(agents) {
  const known = new Set([...agentSelect.options].map((o) => o.value));
  for (const agent of agents) {
    if (agent.id == null || known.has(String(agent.id))) continue;
    const option = element('option', '', agent.name || `#${agent.id}`);
    option.value = String(agent.id);
    agentSelect.append(option);
  }
}

function drawChart(days) {
  const max = Math.max(1, ...days.map((d) => Math.max(d.created, d.closed)));
  const slot = 14;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('width', String(Math.max(slot * days.length, 100)));
  svg.setAttribute('height', String(CHART_HEIGHT + 4));
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'Tickets created and closed per day, and mean stars');
  days.forEach((day, i) => {
    for (const [value, dx, className] of [[day.created, 1, 'bar-created'], [day.closed, 7, 'bar-closed']]) {
      const height = Math.round((value / max) * CHART_HEIGHT);
      const rect = document.createElementNS(SVG, 'rect');
      rect.setAttribute('x', String(i * slot + dx));
      rect.setAttribute('y', String(CHART_HEIGHT - height + 2));
      rect.setAttribute('width', '5');
      rect.setAttribute('height', String(height));
      rect.setAttribute('class', className);
      const title = document.createElementNS(SVG, 'title');
      title.textContent = `${day.date}: ${value} ${className === 'bar-created' ? 'created' : 'closed'}`;
      rect.append(title);
      svg.append(rect);
    }
  });
  drawStars(svg, days, slot);
  chart.replaceChildren(svg);
}

/** A line of each rated day's mean stars (1 at the bottom, 5 at the top), dots on the days. */
function drawStars(svg, days, slot) {
  const y = (stars) => String(2 + CHART_HEIGHT - ((stars - 1) / 4) * CHART_HEIGHT);
  const points = [];
  days.forEach((day, i) => {
    if (day.rating_average == null) return;
    const x = String(i * slot + 6.5);
    points.push(`${x},${y(day.rating_average)}`);
    const dot = document.createElementNS(SVG, 'circle');
    dot.setAttribute('cx', x);
    dot.setAttribute('cy', y(day.rating_average));
    dot.setAttribute('r', '2.5');
    dot.setAttribute('class', 'stars-dot');
    const title = document.createElementNS(SVG, 'title');
    title.textContent = `${day.date}: ${stars(day.rating_average)} stars, ${day.ratings} ratings`;
    dot.append(title);
    svg.append(dot);
  });
  if (points.length < 2) return;
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute('points', points.join(' '));
  line.setAttribute('class', 'stars-line');
  svg.insertBefore(line, svg.querySelector('circle'));
}

function stars(average) {
  return average == null ? '–' : average.toFixed(2);
}

function duration(seconds) {
  if (seconds == null) return '–';
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

function figureCells(row, figures) {
  for (const value of [figures.created, figures.closed, figures.responded,
    duration(figures.first_response_seconds), duration(figures.resolution_seconds),
    figures.ratings, stars(figures.rating_average)]) {
    row.append(element('td', 'number', String(value)));
  }
}

function drawTable(report) {
  const head = element('thead');
  const headRow = element('tr');
  for (const title of ['', 'Created', 'Closed', 'Answered', 'First response (mean)', 'Resolution (mean)', 'Ratings', 'Stars (mean)']) {
    headRow.append(element('th', '', title));
  }
  head.append(headRow);
  const body = element('tbody');
  const section = (title) => {
    const row = element('tr', 'report-section');
    const cell = element('th', '', title);
    cell.colSpan = 8;
    row.append(cell);
    body.append(row);
  };
  const line = (label, figures, testId) => {
    const row = element('tr');
    if (testId) row.dataset.testid = testId;
    const name = element('th');
    name.scope = 'row';
    name.append(isolated('', label));
    row.append(name);
    figureCells(row, figures);
    body.append(row);
  };
  line('Total', report.total, 'report-total');
  section('Departments');
  for (const d of report.departments) line(d.name, d, 'report-department');
  section('Agents');
  for (const a of report.agents) line(a.name || 'Unassigned', a, 'report-agent');
  section('Days');
  for (const d of report.days) line(d.date, d, 'report-day');
  table.replaceChildren(head, body);
}
