// DOM helpers. Text from the API (payloads, ids, error details) only ever goes in through
// textContent and attributes, never as HTML, so an event payload cannot become markup.

export function byId(id) {
  const element = document.getElementById(id);
  if (!element) {
    throw new Error('no element #' + id);
  }
  return element;
}

/** el('td', {class: 'n', dataset: {value: 3}}, 'text', child, ...) */
export function el(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null) {
      continue;
    }
    if (name === 'dataset') {
      for (const [key, v] of Object.entries(value)) {
        if (v !== undefined && v !== null) {
          element.dataset[key] = String(v);
        }
      }
    } else if (name === 'onclick') {
      element.addEventListener('click', value);
    } else {
      element.setAttribute(name, String(value));
    }
  }
  for (const child of children) {
    if (child === undefined || child === null) {
      continue;
    }
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

export function replaceRows(tbody, rows) {
  tbody.replaceChildren(...rows);
}

/** state: idle, loading, ready or error; tests wait on data-state. */
export function setStatus(element, state, text) {
  element.dataset.state = state;
  element.textContent = text || '';
  element.classList.toggle('error', state === 'error');
  element.classList.toggle('loading', state === 'loading');
}

export function setFigure(element, value, text) {
  element.dataset.value = value === null || value === undefined ? '' : String(value);
  element.textContent = text !== undefined ? text : (value === null || value === undefined ? '–' : String(value));
}

const integers = new Intl.NumberFormat('en-US');

export function count(n) {
  return integers.format(n);
}

export function percent(ratio) {
  return (ratio * 100).toFixed(1) + ' %';
}

/** Digits after the decimal point of a currency (2 for EUR, 0 for JPY); 2 when unknown. */
function minorDigits(currency) {
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
  } catch (e) {
    return 2;
  }
}

/** An amount in integer minor units, as the API keeps money, in major units: 123456 EUR is 1,234.56. */
export function majorUnits(minor, currency) {
  return minor / Math.pow(10, minorDigits(currency));
}

export function money(minor, currency) {
  if (minor === null || minor === undefined) {
    return '';
  }
  const digits = minorDigits(currency);
  const formatted = new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    .format(minor / Math.pow(10, digits));
  return currency ? formatted + ' ' + currency : formatted;
}

export function shorten(text, max) {
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}
