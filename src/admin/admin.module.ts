import type { DynamicModule } from '@nestjs/common';

/** Placeholder until the AdminJS module lands (replaced in the same session). */
export async function createAdminModule(): Promise<DynamicModule> {
  const { Module } = await import('@nestjs/common');
  @Module({})
  class AdminPlaceholderModule {}
  return { module: AdminPlaceholderModule };
}
