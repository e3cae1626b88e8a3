// geotiff.js's HTTP client for COGs whose storage needs a token (services/stac/assetSigning.ts): each range request
// is signed when it is sent, so a long run outlives any one token, and a refused request renews it once.
import { BaseClient, BaseResponse } from 'geotiff';
import type { Response } from 'undici';
import { fetchAsset, type AssetSigner } from '../stac/assetSigning';

class SignedResponse extends BaseResponse {
  constructor(private readonly response: Response) {
    super();
  }
  override get status(): number {
    return this.response.status;
  }
  override getHeader(name: string): string | undefined {
    return this.response.headers.get(name) ?? undefined;
  }
  override getData(): Promise<ArrayBuffer> {
    return this.response.arrayBuffer();
  }
}

export class SignedAssetClient extends BaseClient {
  constructor(
    url: string,
    private readonly signer?: AssetSigner,
  ) {
    super(url);
  }

  override async request(options: RequestInit = {}): Promise<BaseResponse> {
    const headers = Object.fromEntries(new Headers(options.headers).entries());
    const response = await fetchAsset(
      this.url,
      { headers, signal: options.signal ?? undefined },
      this.signer,
    );
    return new SignedResponse(response);
  }
}
