/* An agent message's content as the phone shows it: text, rich cards, carousels, files, suggestion chips. */
import { act, h, phonePath, post } from './dom.js';

const ACTION_KINDS = {
  dialAction: 'call',
  viewLocationAction: 'map',
  shareLocationAction: 'share location',
  createCalendarEventAction: 'calendar',
  openUrlAction: 'open URL',
  composeAction: 'compose',
};

function chipOf(suggestion) {
  if (suggestion?.reply) {
    return {
      text: suggestion.reply.text ?? '',
      postbackData: suggestion.reply.postbackData ?? '',
      type: 'REPLY',
    };
  }
  if (suggestion?.action) {
    const kind = Object.keys(ACTION_KINDS).find((key) => key in suggestion.action);
    return {
      text: suggestion.action.text ?? '',
      postbackData: suggestion.action.postbackData ?? '',
      type: 'ACTION',
      action: kind ? ACTION_KINDS[kind] : 'action',
    };
  }
  return undefined;
}

function chipButton(phone, messageId, suggestion, enabled) {
  const chip = chipOf(suggestion);
  if (!chip) return undefined;
  return h(
    'button',
    {
      type: 'button',
      class: 'chip',
      'data-postback': chip.postbackData,
      'data-type': chip.type,
      disabled: !enabled,
      title: `${chip.type === 'REPLY' ? 'Suggested reply' : `Suggested action (${chip.action})`} · postbackData: ${chip.postbackData}`,
      onclick: () =>
        act(
          post(`${phonePath(phone)}/suggestion`, {
            postbackData: chip.postbackData,
            text: chip.text,
            type: chip.type,
            agentMessageId: messageId,
          }),
        ),
    },
    chip.type === 'ACTION' ? h('img', { class: 'icon', src: 'media/action.svg', alt: '' }) : undefined,
    chip.text,
  );
}

function mediaElement(media, className) {
  const info = media?.contentInfo;
  if (!info?.fileUrl && !info?.thumbnailUrl) return undefined;
  return h('img', {
    class: `media ${className}`,
    src: info.thumbnailUrl ?? info.fileUrl,
    alt: '',
    loading: 'lazy',
    referrerpolicy: 'no-referrer',
  });
}

function cardElement(content, options) {
  const height = String(content?.media?.height ?? 'MEDIUM').toLowerCase();
  const media = mediaElement(content?.media, height);
  const chips = (content?.suggestions ?? []).map((s) =>
    chipButton(options.phone, options.messageId, s, options.live),
  );
  const classes = ['card', options.horizontal ? 'horizontal' : '', options.width ?? ''].join(' ');
  return h(
    'div',
    { class: classes },
    options.horizontal && options.mediaRight ? undefined : media,
    h(
      'div',
      { class: 'card-text' },
      h(
        'div',
        { class: 'card-body' },
        content?.title ? h('p', { class: 'card-title' }, content.title) : undefined,
        content?.description ? h('p', { class: 'card-description' }, content.description) : undefined,
      ),
      chips.length > 0 ? h('div', { class: 'card-chips' }, chips) : undefined,
    ),
    options.horizontal && options.mediaRight ? media : undefined,
  );
}

function fileElement(info, fallbackName) {
  const url = info?.thumbnailUrl ?? info?.fileUrl;
  return h(
    'div',
    { class: 'file' },
    url ? h('img', { src: url, alt: '', referrerpolicy: 'no-referrer' }) : undefined,
    url ? undefined : `file: ${fallbackName}`,
  );
}

export function contentElements(item, phone, live) {
  const message = item.contentMessage ?? {};
  const parts = [];
  const context = { phone, messageId: item.messageId, live };
  if (typeof message.text === 'string') parts.push(h('div', { class: 'bubble' }, message.text));
  const standalone = message.richCard?.standaloneCard;
  if (standalone) {
    parts.push(
      cardElement(standalone.cardContent, {
        ...context,
        horizontal: standalone.cardOrientation === 'HORIZONTAL',
        mediaRight: standalone.thumbnailImageAlignment === 'RIGHT',
      }),
    );
  }
  const carousel = message.richCard?.carouselCard;
  if (carousel) {
    const width = String(carousel.cardWidth ?? 'MEDIUM').toLowerCase();
    parts.push(
      h(
        'div',
        { class: 'carousel' },
        (carousel.cardContents ?? []).map((content) => cardElement(content, { ...context, width })),
      ),
    );
  }
  if (message.contentInfo) parts.push(fileElement(message.contentInfo, 'file'));
  if (message.uploadedRbmFile)
    parts.push(fileElement(undefined, message.uploadedRbmFile.fileName ?? 'uploaded file'));
  if (parts.length === 0) parts.push(h('div', { class: 'bubble' }, '(no content)'));
  const chips = (message.suggestions ?? []).map((s) => chipButton(phone, item.messageId, s, live));
  if (chips.length > 0) parts.push(h('div', { class: 'chips' }, chips));
  return parts;
}
