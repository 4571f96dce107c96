// Charts through Apache ECharts, served from its WebJar in the API's jar. The version in this path
// is the pom's echarts.version: a test in analytics-api fails when they part.
import * as echarts from '/webjars/echarts/5.3.1/dist/echarts.esm.min.js';

const charts = new Map();

window.addEventListener('resize', () => charts.forEach(c => c.resize()));

function chartOf(element) {
  let chart = charts.get(element);
  if (!chart) {
    chart = echarts.init(element, null, { renderer: 'canvas' });
    charts.set(element, chart);
  }
  return chart;
}

/** Draws option into element, replacing what was there. */
export function draw(element, option) {
  chartOf(element).setOption(Object.assign({ animation: false }, option), true);
}

/** Calls handler(params) on a click on the chart's data. */
export function onClick(element, handler) {
  const chart = chartOf(element);
  chart.off('click');
  chart.on('click', handler);
}

/** Text for a formatter whose result the library renders as HTML. */
export function escape(text) {
  return echarts.format.encodeHTML(String(text));
}

export function clear(element) {
  const chart = charts.get(element);
  if (chart) {
    chart.clear();
  }
}

/** A bar chart of counts by category. */
export function bars(element, labels, values, name) {
  draw(element, {
    grid: { left: 48, right: 16, top: 16, bottom: 56 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: labels, axisLabel: { rotate: labels.length > 6 ? 30 : 0 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ name, type: 'bar', data: values }],
  });
}
