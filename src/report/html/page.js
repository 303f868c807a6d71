// The report page's script: draws every chart with uPlot from the JSON that the renderer
// embedded, and sorts tables by a clicked column. It loads nothing.
//
// window.mtlsReport lists each chart with the series its specification requested and the
// series uPlot drew, so that a test driving a browser can check the charts. `ready` turns true
// once every chart was tried, and `errors` lists the charts that threw.
(function () {
  'use strict';

  var CHART_HEIGHT_PX = 300;
  var MIN_CHART_WIDTH_PX = 320;
  // Share of a category's width that its group of bars fills.
  var BAR_GROUP_WIDTH = 0.8;
  var INTERVAL_COLOR = '#222';
  var ORIGIN_COLOR = '#555';

  var registry = { ready: false, charts: [], errors: [] };
  window.mtlsReport = registry;
  var plots = [];

  function widthOf(element) {
    return Math.max(MIN_CHART_WIDTH_PX, Math.floor(element.clientWidth));
  }

  // Percentile p for an x value 1/(1-p), with as many decimals as the x value's decade needs:
  // 10 is 90%, 1000 is 99.9%.
  function formatPercentileTick(inverseTail) {
    var percent = 100 * (1 - 1 / inverseTail);
    if (percent <= 0) return '0%';
    var decimals = Math.max(0, Math.ceil(Math.log10(inverseTail) - 1e-9) - 2);
    return percent.toFixed(decimals) + '%';
  }

  function formatPercentile(inverseTail) {
    if (inverseTail == null) return '-';
    return (100 * (1 - 1 / inverseTail)).toFixed(3) + '%';
  }

  function formatMicroseconds(value) {
    return value == null ? '-' : Math.round(value).toLocaleString('en-US') + ' µs';
  }

  function formatRatio(value) {
    return value == null ? '-' : value.toFixed(2) + '×';
  }

  function powersOfTen(min, max) {
    var splits = [];
    for (var exponent = 0; exponent <= 15 && Math.pow(10, exponent) <= max * 1.0001; exponent++) {
      var value = Math.pow(10, exponent);
      if (value >= min * 0.9999) splits.push(value);
    }
    return splits;
  }

  function percentileOptions(spec, width) {
    var maxX = spec.inverseTails[spec.inverseTails.length - 1] || 10;
    return {
      width: width,
      height: CHART_HEIGHT_PX,
      scales: {
        x: { time: false, distr: 3, log: 10, range: function () { return [1, Math.max(10, maxX)]; } },
        y: { range: function (u, min, max) { return [0, (max || 1) * 1.05]; } },
      },
      axes: [
        {
          label: 'percentile (log scale of 1/(1−p))',
          splits: function (u) { return powersOfTen(u.scales.x.min, u.scales.x.max); },
          values: function (u, splits) { return splits.map(formatPercentileTick); },
        },
        {
          label: 'latency µs',
          size: 70,
          values: function (u, splits) { return splits.map(function (value) { return value.toLocaleString('en-US'); }); },
        },
      ],
      series: [{ label: 'percentile', value: function (u, value) { return formatPercentile(value); } }].concat(
        spec.series.map(function (series) {
          return {
            label: series.label,
            stroke: series.color,
            width: 2,
            dash: series.dash ? [8, 5] : undefined,
            spanGaps: true,
            points: { show: false },
            value: function (u, value) { return formatMicroseconds(value); },
          };
        }),
      ),
    };
  }

  function percentileData(spec) {
    return [spec.inverseTails].concat(spec.series.map(function (series) { return series.valuesUs; }));
  }

  function barRange(spec) {
    var min = spec.origin;
    var max = spec.origin;
    spec.series.forEach(function (series) {
      [series.values, series.low, series.high].forEach(function (values) {
        values.forEach(function (value) {
          if (value == null) return;
          min = Math.min(min, value);
          max = Math.max(max, value);
        });
      });
    });
    var pad = (max - min || 1) * 0.08;
    return [spec.origin === 0 ? 0 : min - pad, max + pad];
  }

  // Whiskers for the intervals, and a line at the origin of ratio bars, drawn on uPlot's canvas
  // after its own drawing; hidden series get none.
  function drawIntervals(spec, barWidth) {
    return function (u) {
      var ctx = u.ctx;
      ctx.save();
      ctx.beginPath();
      ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
      ctx.clip();
      ctx.lineWidth = Math.max(1, window.devicePixelRatio || 1);
      if (spec.origin !== 0) {
        var originY = u.valToPos(spec.origin, 'y', true);
        ctx.strokeStyle = ORIGIN_COLOR;
        ctx.setLineDash([4, 4]);
        ctx.beginPath();
        ctx.moveTo(u.bbox.left, originY);
        ctx.lineTo(u.bbox.left + u.bbox.width, originY);
        ctx.stroke();
        ctx.setLineDash([]);
      }
      ctx.strokeStyle = INTERVAL_COLOR;
      spec.series.forEach(function (series, seriesIndex) {
        if (!u.series[seriesIndex + 1].show) return;
        var capPx = Math.abs(u.valToPos(barWidth, 'x', true) - u.valToPos(0, 'x', true)) * 0.25;
        series.values.forEach(function (value, category) {
          var low = series.low[category];
          var high = series.high[category];
          if (value == null || low == null || high == null) return;
          var x = u.valToPos(category - BAR_GROUP_WIDTH / 2 + (seriesIndex + 0.5) * barWidth, 'x', true);
          var lowY = u.valToPos(low, 'y', true);
          var highY = u.valToPos(high, 'y', true);
          ctx.beginPath();
          ctx.moveTo(x, lowY);
          ctx.lineTo(x, highY);
          ctx.moveTo(x - capPx, lowY);
          ctx.lineTo(x + capPx, lowY);
          ctx.moveTo(x - capPx, highY);
          ctx.lineTo(x + capPx, highY);
          ctx.stroke();
        });
      });
      ctx.restore();
    };
  }

  function barOptions(spec, width) {
    var categoryCount = spec.categories.length;
    var barWidth = BAR_GROUP_WIDTH / Math.max(1, spec.series.length);
    var indexes = spec.categories.map(function (_, index) { return index; });
    var format = spec.valueFormat === 'ratio' ? formatRatio : formatMicroseconds;
    var labelLines = spec.categories.reduce(function (most, label) { return Math.max(most, label.split('\n').length); }, 1);
    var range = barRange(spec);
    return {
      width: width,
      height: CHART_HEIGHT_PX + 14 * labelLines,
      cursor: { points: { show: false } },
      scales: {
        x: { time: false, range: function () { return [-0.5, categoryCount - 0.5]; } },
        y: { range: function () { return range; } },
      },
      axes: [
        {
          splits: function () { return indexes; },
          values: function () { return spec.categories; },
          grid: { show: false },
          size: 20 + 14 * labelLines,
        },
        {
          label: spec.axisLabel,
          size: 70,
          values: function (u, splits) { return splits.map(function (value) { return spec.valueFormat === 'ratio' ? value.toFixed(2) + '×' : value.toLocaleString('en-US'); }); },
        },
      ],
      series: [
        { label: 'cell', value: function (u, value) { return value == null ? '-' : (spec.categories[Math.round(value)] || '').replace(/\n/g, ' · '); } },
      ].concat(
        spec.series.map(function (series, seriesIndex) {
          return {
            label: series.label,
            fill: series.color,
            stroke: series.color,
            width: 0,
            fillTo: spec.origin,
            points: { show: false },
            value: function (u, value) { return format(value); },
            paths: uPlot.paths.bars({
              disp: {
                x0: { unit: 1, values: function () { return indexes.map(function (index) { return index - BAR_GROUP_WIDTH / 2 + seriesIndex * barWidth; }); } },
                size: { unit: 1, values: function () { return indexes.map(function () { return barWidth; }); } },
              },
            }),
          };
        }),
      ),
      hooks: { draw: [drawIntervals(spec, barWidth)] },
    };
  }

  function barData(spec) {
    var indexes = spec.categories.map(function (_, index) { return index; });
    return [indexes].concat(spec.series.map(function (series) { return series.values; }));
  }

  function drawChart(spec) {
    var area = document.getElementById('chart-' + spec.id);
    if (area === null) throw new Error('no element for chart ' + spec.id);
    var width = widthOf(area);
    var plot =
      spec.kind === 'percentiles'
        ? new uPlot(percentileOptions(spec, width), percentileData(spec), area)
        : new uPlot(barOptions(spec, width), barData(spec), area);
    plots.push({ plot: plot, area: area });
    registry.charts.push({
      id: spec.id,
      kind: spec.kind,
      expectedSeries: spec.series.length,
      renderedSeries: plot.series.length - 1,
      colors: spec.series.map(function (series) { return series.color; }),
    });
  }

  function drawCharts() {
    var element = document.getElementById('mtls-report-data');
    var data = JSON.parse(element.textContent);
    data.charts.forEach(function (spec) {
      try {
        drawChart(spec);
      } catch (error) {
        registry.errors.push({ id: spec.id, message: String(error && error.message) });
        console.error('chart ' + spec.id + ' was not drawn:', error);
      }
    });
    window.addEventListener('resize', function () {
      plots.forEach(function (entry) {
        entry.plot.setSize({ width: widthOf(entry.area), height: entry.plot.height });
      });
    });
  }

  // Sorts by the data-sort numbers when the column has any, else by text. Failed rows, then rows
  // without a number, go last in both directions, and equal rows keep their order.
  function sortRows(table, columnIndex, direction) {
    var body = table.tBodies[0];
    var sign = direction === 'ascending' ? 1 : -1;
    var rows = Array.prototype.slice.call(body.rows).map(function (row, position) {
      return { row: row, position: position, cell: row.cells[columnIndex] };
    });
    var numeric = rows.some(function (entry) { return entry.cell !== undefined && entry.cell.dataset.sort !== undefined; });
    rows.sort(function (a, b) {
      var aFailed = a.row.classList.contains('failed');
      var bFailed = b.row.classList.contains('failed');
      if (aFailed !== bFailed) return aFailed ? 1 : -1;
      if (numeric) {
        var aValue = a.cell === undefined ? undefined : a.cell.dataset.sort;
        var bValue = b.cell === undefined ? undefined : b.cell.dataset.sort;
        if (aValue === undefined && bValue === undefined) return a.position - b.position;
        if (aValue === undefined) return 1;
        if (bValue === undefined) return -1;
        return sign * (Number(aValue) - Number(bValue)) || a.position - b.position;
      }
      var aText = a.cell === undefined ? '' : a.cell.textContent;
      var bText = b.cell === undefined ? '' : b.cell.textContent;
      return sign * aText.localeCompare(bText, 'en', { numeric: true }) || a.position - b.position;
    });
    rows.forEach(function (entry) { body.appendChild(entry.row); });
  }

  function makeSortable(table) {
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    headers.forEach(function (header, columnIndex) {
      // The whole header cell takes the click; its button is there for the keyboard, and a click
      // on it reaches the cell too.
      if (header.querySelector('button') === null) return;
      header.addEventListener('click', function () {
        var direction = header.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
        headers.forEach(function (other) { other.setAttribute('aria-sort', 'none'); });
        header.setAttribute('aria-sort', direction);
        sortRows(table, columnIndex, direction);
      });
    });
  }

  Array.prototype.slice.call(document.querySelectorAll('table.sortable')).forEach(makeSortable);
  drawCharts();
  registry.ready = true;
})();
