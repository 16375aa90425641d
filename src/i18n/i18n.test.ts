import { describe, expect, it } from 'vitest';
import { en } from './en';
import { translate } from './index';
import { zhCN } from './zh-CN';

describe('i18n', () => {
  it('has a Chinese string for every English key, with the same parameters', () => {
    const params = (s: string): string[] => [...s.matchAll(/\{(\w+)[}|]/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(zhCN[key], key).toBeTruthy();
      expect(new Set(params(zhCN[key])), key).toEqual(new Set(params(en[key])));
    }
  });

  it('fills parameters and picks singular or plural words', () => {
    expect(translate('en', 'status.loaded', { images: 1, series: 1 })).toBe('Loaded 1 image in 1 series');
    expect(translate('en', 'status.loaded', { images: 40, series: 2 })).toBe('Loaded 40 images in 2 series');
    expect(translate('zh-CN', 'status.loaded', { images: 40, series: 2 })).toBe(
      '已加载 2 个序列，共 40 幅图像',
    );
  });
});
