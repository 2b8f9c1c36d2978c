// 大屏各图的 ECharts option（深色大屏配色、大字号，墙上远处可读）。数据均来自 GET /analytics/screen 的一个数据包。

export const TEXT = '#cfe6ff'
const AXIS = '#5f86b3'
const SPLIT = 'rgba(95, 134, 179, 0.18)'
const FONT = 16

const axisText = { color: TEXT, fontSize: FONT }

/** 近 30 日每日新增案源、新立案件（折线）。 */
export function trendOption(bundle) {
  const t = bundle.trend || {}
  const series = [
    { key: 'sources', name: '新增案源', color: '#3fb8ff' },
    { key: 'cases', name: '新立案件', color: '#ffc53d' },
  ].filter((s) => Array.isArray(t[s.key]))
  return {
    animation: false,
    tooltip: { trigger: 'axis', textStyle: { fontSize: FONT } },
    legend: { top: 0, right: 0, textStyle: axisText, itemWidth: 18, itemHeight: 10 },
    grid: { left: 48, right: 14, top: 36, bottom: 30 },
    xAxis: {
      type: 'category',
      data: (t.days || []).map((d) => d.slice(5)),
      axisLine: { lineStyle: { color: AXIS } },
      axisLabel: { ...axisText, fontSize: 14 },
    },
    yAxis: { type: 'value', minInterval: 1, axisLabel: { ...axisText, fontSize: 14 }, splitLine: { lineStyle: { color: SPLIT } } },
    series: series.map((s) => ({
      name: s.name,
      type: 'line',
      smooth: true,
      showSymbol: false,
      lineStyle: { width: 3, color: s.color },
      itemStyle: { color: s.color },
      areaStyle: { color: s.color, opacity: 0.12 },
      data: t[s.key],
    })),
  }
}

/** 排名（横向柱状，最大的在上）：rows [{ label, value }]。 */
export function rankingOption(rows, color = '#3fb8ff') {
  const top = [...(rows || [])].slice(0, 8).reverse()
  return {
    animation: false,
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, textStyle: { fontSize: FONT } },
    grid: { left: 8, right: 56, top: 6, bottom: 6, containLabel: true },
    xAxis: { type: 'value', show: false },
    yAxis: {
      type: 'category',
      data: top.map((r) => r.label),
      axisLine: { show: false },
      axisTick: { show: false },
      axisLabel: { ...axisText, width: 150, overflow: 'truncate' },
    },
    series: [
      {
        type: 'bar',
        data: top.map((r) => r.value),
        barWidth: 14,
        itemStyle: { color, borderRadius: [0, 7, 7, 0] },
        label: { show: true, position: 'right', color: '#ffffff', fontSize: FONT, fontWeight: 'bold' },
        showBackground: true,
        backgroundStyle: { color: 'rgba(255,255,255,0.05)', borderRadius: [0, 7, 7, 0] },
      },
    ],
  }
}

const PIE_COLORS = ['#3fb8ff', '#36cfc9', '#ffc53d', '#ff7a45', '#9254de', '#73d13d', '#f759ab', '#597ef7', '#bfbfbf']

/** 案源渠道构成（环形图）。 */
export function channelOption(cube) {
  const rows = (cube?.rows || []).filter((r) => r.value > 0).sort((a, b) => b.value - a.value)
  return {
    animation: false,
    color: PIE_COLORS,
    tooltip: { trigger: 'item', textStyle: { fontSize: FONT }, formatter: '{b}：{c} 件（{d}%）' },
    legend: { orient: 'vertical', right: 0, top: 'middle', textStyle: { ...axisText, fontSize: 15 }, itemWidth: 12, itemHeight: 12 },
    series: [
      {
        type: 'pie',
        radius: ['42%', '72%'],
        center: ['30%', '50%'],
        label: { show: false },
        itemStyle: { borderColor: '#06183a', borderWidth: 2 },
        data: rows.map((r) => ({ name: r.label, value: r.value })),
      },
    ],
  }
}
