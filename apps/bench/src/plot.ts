// The run as a PNG: throughput, latency and CPU per request side by side, one bar per system.
// Vega-Lite draws the SVG (no canvas needed), resvg turns it into a PNG with the system's fonts.

import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { perStageMs, type SystemFigures } from './report.js';

interface Point {
  system: string;
  panel: string;
  value: number;
}

function points(all: readonly SystemFigures[]): Point[] {
  return all.flatMap((f) => [
    { system: f.system, panel: `req/s, ${f.burst.requests} at once`, value: f.burst.perSecond },
    { system: f.system, panel: `req/s, ${f.smallBurst.requests} at once`, value: f.smallBurst.perSecond },
    { system: f.system, panel: 'p50 latency, ms', value: f.latency.p50 },
    { system: f.system, panel: 'p99 latency, ms', value: f.latency.p99 },
    { system: f.system, panel: 'per stage, ms', value: perStageMs(f) },
    { system: f.system, panel: 'CPU per request, ms', value: f.burst.cpuMsPerRequest },
  ]);
}

export async function plotPng(all: readonly SystemFigures[], title: string): Promise<Buffer> {
  const spec: TopLevelSpec = {
    title,
    data: { values: points(all) },
    facet: {
      field: 'panel',
      type: 'nominal',
      title: null,
      sort: [...new Set(points(all).map((p) => p.panel))],
    },
    columns: 3,
    spec: {
      width: 200,
      height: 160,
      mark: 'bar',
      encoding: {
        x: { field: 'system', type: 'nominal', title: null, sort: null, axis: { labelAngle: -20 } },
        y: { field: 'value', type: 'quantitative', title: null },
        color: { field: 'system', type: 'nominal', sort: null, legend: null },
      },
    },
    resolve: { scale: { y: 'independent' } },
    background: 'white',
  } as TopLevelSpec;
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return new Resvg(svg, { font: { loadSystemFonts: true }, fitTo: { mode: 'zoom', value: 1.5 } })
    .render()
    .asPng();
}
