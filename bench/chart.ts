/** A small SVG line chart: no dependency, readable in a browser and on GitHub. */
export interface Series {
  name: string;
  color: string;
  points: [number, number][];
}

function panel(
  x0: number,
  title: string,
  xLabel: string,
  yLabel: string,
  series: Series[],
): string {
  const w = 420;
  const h = 260;
  const pad = { l: 56, r: 12, t: 28, b: 40 };
  const all = series.flatMap((s) => s.points);
  const maxX = Math.max(1, ...all.map((p) => p[0])) * 1.05;
  const maxY = Math.max(1, ...all.map((p) => p[1])) * 1.1;
  const sx = (x: number) => x0 + pad.l + (x / maxX) * (w - pad.l - pad.r);
  const sy = (y: number) => pad.t + (1 - y / maxY) * (h - pad.t - pad.b);
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const grid = ticks
    .map((t) => {
      const y = sy(maxY * t);
      const x = sx(maxX * t);
      return `<line x1="${x0 + pad.l}" y1="${y}" x2="${x0 + w - pad.r}" y2="${y}" stroke="#ddd"/>
<text x="${x0 + pad.l - 6}" y="${y + 4}" text-anchor="end" font-size="11">${(maxY * t).toFixed(0)}</text>
<text x="${x}" y="${h - pad.b + 16}" text-anchor="middle" font-size="11">${(maxX * t).toFixed(0)}</text>`;
    })
    .join('\n');
  const lines = series
    .map((s, i) => {
      const d = s.points
        .map((p, k) => `${k === 0 ? 'M' : 'L'}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`)
        .join(' ');
      const dots = s.points
        .map(
          (p) =>
            `<circle cx="${sx(p[0]).toFixed(1)}" cy="${sy(p[1]).toFixed(1)}" r="3" fill="${s.color}"/>`,
        )
        .join('');
      return `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"/>${dots}
<text x="${x0 + pad.l + 8}" y="${pad.t + 14 + i * 14}" font-size="11" fill="${s.color}">${s.name}</text>`;
    })
    .join('\n');
  return `<text x="${x0 + w / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${title}</text>
${grid}
<text x="${x0 + (w + pad.l) / 2}" y="${h - 6}" text-anchor="middle" font-size="11">${xLabel}</text>
<text transform="translate(${x0 + 14},${h / 2}) rotate(-90)" text-anchor="middle" font-size="11">${yLabel}</text>
${lines}`;
}

export function chart(throughput: Series[], latency: Series[], xLabel: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="860" height="260" font-family="sans-serif">
<rect width="860" height="260" fill="white"/>
${panel(0, 'Throughput against offered load', xLabel, 'letters/s', throughput)}
${panel(440, 'Submit latency against offered load', xLabel, 'ms', latency)}
</svg>
`;
}
